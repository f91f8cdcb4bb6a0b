import { main } from './main.js';

// Entry point of the `dl` command (bin/dl.mjs builds, then imports this file).
process.exitCode = await main(process.argv.slice(2));
