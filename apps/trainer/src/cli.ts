import { main } from './main.js';

// Entry point of the `dl` command (bin/dl.mjs builds, then imports this file).

// A reader that stops early (`dl train --json | head -1`) closes the pipe: that ends the command
// quietly, as for any Unix tool, rather than with an unhandled EPIPE error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
