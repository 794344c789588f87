import type { Command } from 'commander';
import { registerSchema } from './schema.js';

/** Every command of the CLI, in help order. */
export function registerCommands(program: Command): void {
  registerSchema(program);
}
