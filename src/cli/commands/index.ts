import type { Command } from 'commander';
import { registerRun } from './run.js';
import { registerSchema } from './schema.js';

/** Every command of the CLI, in help order. */
export function registerCommands(program: Command): void {
  registerRun(program);
  registerSchema(program);
}
