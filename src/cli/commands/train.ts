/**
 * `layerbench train <sweep> --candidate <id>`: train one candidate outside the workflow and write its
 * document, through the same Plan and Train steps the workflow runs (so the document lands in a run,
 * `runs/<runId>/candidates/<id>.json`, and resuming works the same way). On a terminal, stderr shows
 * the step under way, then each epoch: trial, epoch, loss and validation loss (src/cli/activity.ts).
 */
import { SpecError } from '../../errors.js';
import { fmtInt, fmtSeconds, fmtValue } from '../../format.js';
import { candidateDocSchema, type CandidateDoc } from '../../results/document.js';
import { checkRunIdOption, readManifest } from '../../results/manifest.js';
import { checkResumable, plan } from '../../steps/plan.js';
import { checkRunDocuments } from '../../steps/resume.js';
import { train } from '../../steps/train.js';
import { keys } from '../../store/keys.js';
import { openCheckedStore } from '../../store/open.js';
import { getJson } from '../../store/store.js';
import { trialsPerCandidate } from '../../sweep/schema.js';
import { wrapLine } from '../../report/wrap.js';
import { epochPhase, withActivity } from '../activity.js';
import { prepareSweepFile } from '../sweep-file.js';

export interface TrainCommandOptions {
  candidate: string;
  store?: string;
  backend?: string;
  runId?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `--json`: the candidate's document and where it is. */
export const TRAIN_RESULT_SCHEMA = 'layerbench.cli.train.v1' as const;

/** Exit code 1 when the candidate failed (its document says why). */
export async function trainCommand(file: string, opts: TrainCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (opts.runId !== undefined) checkRunIdOption(opts.runId); // before anything is read or written
  const store = await openCheckedStore(opts.store);
  return withActivity(opts, async (activity) => {
    activity.phase(`reading ${file} and its data`);
    const { text, spec, candidates, datasetVersion } = await prepareSweepFile(file, store, opts);
    if (!candidates.some((c) => c.id === opts.candidate)) {
      throw new SpecError(`--candidate: ${JSON.stringify(opts.candidate)} is not a candidate of ${spec.name} (it has ${candidates.map((c) => c.id).join(', ')})`);
    }
    const runId = opts.runId ?? `${spec.name}-manual`;
    // Training into a run that exists: it must be this sweep's on this data, its documents readable — checked before the sweep is written.
    if (await store.exists(keys.runManifest(runId))) {
      checkResumable(await readManifest(store, runId), spec, datasetVersion);
      await checkRunDocuments(store, runId);
    }
    await store.put(keys.sweep(spec.name), text, 'application/json');
    activity.phase(`planning run ${runId}`);
    await plan(store, { trigger: 'cli', key: keys.sweep(spec.name), runId }, { datasetScope: 'anywhere' });
    const trials = trialsPerCandidate(spec);
    activity.phase(`training ${opts.candidate}: ${trials} trial${trials === 1 ? '' : 's'} × up to ${spec.training.epochs} epochs`);
    const perRepeat = trials / spec.evaluation.repeats;
    const trained = await train(
      store,
      { runId, candidateId: opts.candidate },
      { backend: opts.backend, datasetScope: 'anywhere', onEpoch: (e) => activity.phase(epochPhase(opts.candidate, e, trials, perRepeat)) },
    );
    activity.stop();
    const key = keys.candidate(runId, opts.candidate);
    const doc: CandidateDoc = candidateDocSchema.parse(await getJson(store, key));
    const where = `${store.location}/${key}`;
    if (opts.json) {
      out.write(`${JSON.stringify({ schema: TRAIN_RESULT_SCHEMA, runId, candidateId: opts.candidate, skipped: trained.status === 'skipped', location: where, document: doc }, null, 2)}\n`);
    } else {
      if (trained.status === 'skipped') out.write(`${wrapLine(`already trained in run ${runId}: ${where}`)}\n`);
      if (doc.status === 'failed') out.write(`${wrapLine(`failed: ${doc.error?.message}`)}\ndocument: ${where}\n`);
      else {
        const m = doc.metric;
        const summary =
          `${doc.candidate.id}: validation ${m.name} ${fmtValue(m.mean)}${m.values.length > 1 ? ` (sd ${fmtValue(m.std)} over ${m.values.length} trials)` : ''}, ` +
          `${fmtInt(doc.parameterCount)} parameters, ${fmtSeconds(doc.timing.fitSeconds)} s fitting at ${fmtInt(Math.round(doc.timing.samplesPerSecond ?? 0))} samples/s on ${doc.backend}`;
        out.write(`${wrapLine(summary)}\ndocument: ${where}\n`);
      }
    }
    return doc.status === 'failed' ? 1 : 0;
  });
}
