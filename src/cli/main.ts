/**
 * The `layerbench` command line. Each command lives in src/cli/commands/<name>.ts and registers
 * itself on the program; this file only wires them and turns errors into one line and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { LayerbenchError } from '../errors.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('layerbench')
    .description('How many layers, and how many units per layer? Answered by experiment.')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof LayerbenchError) {
      process.stderr.write(`layerbench: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`layerbench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && /(?:main\.ts|layerbench(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  process.exitCode = await main(process.argv);
}
