import { Option, type Command } from 'commander';
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
  registerPredict(program);
}

/** `predict`: its code (tfjs, the predictor) loads only when it runs. */
function registerPredict(program: Command): void {
  program
    .command('predict')
    .description("predict with a run's final model (or one candidate's) from a CSV, NPY or NPZ file, in the original units")
    .argument('<runId>', 'the run whose model predicts')
    .argument('<file>', 'a .csv with the training columns (any order, target optional), or .npy/.npz arrays')
    .option('--store <uri>', 'a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)')
    .option('--candidate <id>', "predict with this candidate's saved model (one trial's) instead of the final model")
    .option('--out <file>', 'write the predictions (CSV) here instead of stdout')
    .addOption(
      new Option('--unknown-categories <policy>', 'a category never seen in training: error, or zero (encode it as all zeros, with a warning)')
        .choices(['error', 'zero'])
        .default('error'),
    )
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: the best available)').choices(['tensorflow', 'wasm', 'cpu']))
    .option('--json', 'print one JSON document on stdout (the predictions too, without --out)')
    .action(async (runId: string, file: string, opts: Record<string, unknown>) => {
      const { predictCommand } = await import('./predict.js');
      process.exitCode = await predictCommand(runId, file, opts);
    });
}
