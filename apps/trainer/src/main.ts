import { trainCommand } from './commands/train.js';
import { CliError } from './cli-error.js';

const HELP = `dl — deep learning from scratch, on the command line

Usage: dl <command> [options]

Commands:
  train     train a network of the book on MNIST (default: TwoLayerNet, the book's settings)

Run 'dl <command> --help' for the options of a command.`;

/** Runs one `dl` invocation; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'train':
        return await trainCommand(rest);
      case '--help':
      case '-h':
      case 'help':
        console.log(HELP);
        return 0;
      default:
        throw new CliError(`unknown command '${command}'\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`dl: ${error.message}`);
      return 2;
    }
    console.error(`dl: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
