/**
 * `layerbench train <sweep> --candidate <id>`: train one candidate outside the workflow and write its
 * document, through the same Plan and Train steps the workflow runs (so the document lands in a run,
 * `runs/<runId>/candidates/<id>.json`, and resuming works the same way).
 */
import { Option, type Command } from 'commander';
import { SpecError } from '../../errors.js';
import { candidateDocSchema } from '../../results/document.js';
import { expandCandidates } from '../../search/candidates.js';
import { plan } from '../../steps/plan.js';
import { train } from '../../steps/train.js';
import { keys } from '../../store/keys.js';
import { openStore } from '../../store/open.js';
import { getJson } from '../../store/store.js';
import { prepareSweepFile } from '../sweep-file.js';

interface TrainCommandOptions {
  candidate: string;
  store?: string;
  backend?: string;
  runId?: string;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train one candidate of a sweep and write its result document')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .requiredOption('--candidate <id>', 'the candidate id (`layerbench plan` lists them)')
    .option('--store <uri>', 'a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: the best available)').choices(['tensorflow', 'wasm', 'cpu']))
    .option('--run-id <id>', 'the run to write into (default: <sweep>-manual)')
    .action(async (file: string, opts: TrainCommandOptions) => {
      const store = openStore(opts.store);
      const { text, spec, datasetVersion } = await prepareSweepFile(file, store);
      const candidates = expandCandidates(spec, datasetVersion);
      if (!candidates.some((c) => c.id === opts.candidate)) {
        throw new SpecError(
          `--candidate: ${JSON.stringify(opts.candidate)} is not a candidate of ${spec.name} (it has ${candidates.map((c) => c.id).join(', ')})`,
        );
      }
      const runId = opts.runId ?? `${spec.name}-manual`;
      await store.put(keys.sweep(spec.name), text, 'application/json');
      await plan(store, { trigger: 'cli', key: keys.sweep(spec.name), runId });
      const out = await train(store, { runId, candidateId: opts.candidate }, { backend: opts.backend });
      const key = keys.candidate(runId, opts.candidate);
      const doc = candidateDocSchema.parse(await getJson(store, key));
      const where = `${store.location}/${key}`;
      if (out.status === 'skipped') process.stdout.write(`already trained in run ${runId}: ${where}\n`);
      if (doc.status === 'failed') {
        process.stdout.write(`failed: ${doc.error?.message}\ndocument: ${where}\n`);
        process.exitCode = 1;
        return;
      }
      const m = doc.metric;
      process.stdout.write(
        `${doc.candidate.id}: validation ${m.name} ${m.mean?.toFixed(4)}${m.values.length > 1 ? ` ± ${m.std?.toFixed(4)} (n=${m.values.length})` : ''}, ` +
          `${doc.parameterCount} parameters, ${doc.timing.fitSeconds.toFixed(1)} s fitting at ${Math.round(doc.timing.samplesPerSecond ?? 0)} samples/s on ${doc.backend}\n` +
          `document: ${where}\n`,
      );
    });
}
