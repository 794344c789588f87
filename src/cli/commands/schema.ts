import type { Command } from 'commander';
import { sweepJsonSchema } from '../../spec/schema.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the sweep spec')
    .action(() => {
      process.stdout.write(`${JSON.stringify(sweepJsonSchema(), null, 2)}\n`);
    });
}
