import type { Command } from 'commander';
import { registerPlan } from './plan.js';
import { registerQuickstart, registerRun } from './run.js';
import { registerResults } from './results.js';
import { registerSchema } from './schema.js';
import { registerTrain } from './train.js';
import { registerStatus } from './status.js';
import { registerSubmit } from './submit.js';

/** Every command of the CLI, in help order. */
export function registerCommands(program: Command): void {
  registerPlan(program);
  registerTrain(program);
  registerRun(program);
  registerQuickstart(program);
  registerSchema(program);
  registerSubmit(program);
  registerStatus(program);
  registerResults(program);
}
