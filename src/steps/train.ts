/**
 * Train: one candidate of one run. Reads the run's training context (train-context.ts: the sweep and
 * the dataset version, a few kilobytes) and the prepared dataset (src/data/prepared.ts), both kept by
 * the process between candidates with each split's encoding, trains, and writes
 * `runs/<runId>/candidates/<id>.json`. The item carries its candidate, so no task reads run.json.
 *
 * Failures are classified for the state machine: a candidate failure (NaN loss, a tfjs error) is
 * written as a failed document and returned as status 'failed' — the Map goes on; a TransientError
 * is thrown for the Retry; anything fatal is thrown for the Catch.
 *
 * Training goes in steps when it has to (src/train/checkpoint.ts): a task that would pass
 * `training.maxTaskSeconds`, or come near the moment it will be stopped (a Lambda's remaining time,
 * locally the Train state's timeout) less a safety margin, saves a checkpoint and returns status
 * 'continue', leaving its item at `keys.continuation` — the Map's child ends there (a child may be an
 * Express execution, five minutes at most), and the parent trains the item again in the Map's next
 * pass (Aggregate sees it, Promote re-queues it), where it goes on from its checkpoint; a
 * halving item (`round`) trains to its round's epoch budget from the checkpoint of the round before,
 * writes the candidate's document for that budget (replacing the earlier round's) and a checkpoint for
 * the next round. A round that is not the last is scored on validation only (nothing saved, no test
 * split: trial.ts Scoring). Each task adds its wall and CPU seconds to the candidate's `compute`, over
 * every task that trained it, and returns where its time went (`phases`).
 */
import { cachedSplits } from '../data/split-cache.js';
import { dataLayout } from '../data/split.js';
import { failureKind, LayerbenchError, NotFoundError } from '../errors.js';
import { keys } from '../store/keys.js';
import { getJsonIfPresent, putJson, putJsonIfAbsent, type Store } from '../store/store.js';
import { embedPreprocessing, saveModelToStore } from '../artifacts/model.js';
import { savePreprocessing } from '../artifacts/preprocessing.js';
import type { SplitData } from '../data/types.js';
import type { Compute } from '../cost/compute.js';
import type { CandidateDoc } from '../results/document.js';
import { readHalvingState } from '../results/halving.js';
import { decodeCheckpoint, encodeCheckpoint, type CandidateCheckpoint } from '../train/checkpoint.js';
import { PhaseClock } from '../train/phases.js';
import { failedDoc, trainCandidateResumable, type ResumableArgs } from '../train/train.js';
import { resetPeakRss } from '../train/peak-rss.js';
import { plannedDataset, type DatasetScope } from './dataset.js';
import { readTaskContext } from './train-context.js';
import { subsampleSplits } from '../data/subsample.js';
import { fractionKey } from '../results/learning-curve.js';
import { parsePayload, trainInputSchema, type TrainOutput, type WorkItem } from './types.js';

export interface TrainOptions {
  /** Where the sweep's dataset may live (src/steps/dataset.ts); default the store only (datasets/…), the local runner: anywhere. */
  datasetScope?: DatasetScope;
  /** Backend preference (tensorflow | wasm | cpu); default: the best available. */
  backend?: string;
  /** In place of the spec's training.maxTaskSeconds (tests: 0 checkpoints after every epoch). */
  maxTaskSeconds?: number;
  /**
   * When this task will be stopped (Date.now() milliseconds): a Lambda's start plus its remaining time,
   * locally the Train state's timeout. Training checkpoints and hands over a safety margin before it.
   */
  stopsAt?: number;
  /** After every epoch of every trial (`layerbench train` shows it on a terminal). */
  onEpoch?: ResumableArgs['onEpoch'];
}

/**
 * What a task keeps free before it is stopped, to score, save and write after its last epoch: a tenth
 * of its time, at least 5 s (a 15-minute Lambda: 90 s).
 */
export function safetyMarginMs(taskMs: number): number {
  return Math.max(5_000, taskMs / 10);
}

export async function train(store: Store, payload: WorkItem, opts: TrainOptions = {}): Promise<TrainOutput> {
  const item = parsePayload(trainInputSchema, payload, 'Train');
  const taskStart = performance.now();
  const cpuStart = process.cpuUsage();
  const phases = new PhaseClock();
  const { runId, candidateId, round, fraction } = item;
  // A task that continues passes its item on whole (as it leaves it for the next pass of the Map).
  const out = (status: TrainOutput['status']): TrainOutput => ({
    ...(status === 'continue' ? item : { runId, candidateId, ...(round !== undefined ? { round } : {}), ...(fraction !== undefined ? { fraction } : {}) }),
    status,
    phases: phases.seconds(),
  });
  // A learning curve's item (src/data/subsample.ts) writes the curve's point, never the candidate's document.
  const curve = fraction === undefined ? null : fractionKey(fraction);
  const docKey = curve === null ? keys.candidate(runId, candidateId) : keys.curvePoint(runId, candidateId, curve);
  // A retried or resumed task whose document was written already has nothing left to do, unless Plan
  // asked for the document to be replaced (a resumed run retraining a failed or unreadable one); a
  // halving item has nothing to do once there is a document of its round or a later one, or a failure.
  // (A halving item reads the document at once: one read where an exists-check and a read were two.)
  const done = await phases.time('storeReads', async () => {
    if (item.retrain) return false;
    if (round === undefined) return store.exists(docKey);
    const existing = await getJsonIfPresent<Pick<CandidateDoc, 'status' | 'rung'>>(store, docKey);
    return existing !== undefined && (existing.status === 'failed' || (existing.rung?.round ?? -1) >= round);
  });
  if (done) return out('skipped');
  const { context, candidate, budgets } = await phases.time('storeReads', async () => ({
    ...(await readTaskContext(store, item)),
    budgets: round === undefined ? null : await halvingBudgets(store, runId),
  }));
  const spec = context.sweep;
  if (round !== undefined && (!budgets || budgets[round] === undefined)) {
    throw new LayerbenchError(`run ${runId}: item ${candidateId} names round ${round}, which the run's halving state does not have`, { code: 'E_INTERNAL', kind: 'fatal' });
  }
  const budget = round === undefined ? spec.training.epochs : budgets![round]!;
  const rung = round === undefined ? undefined : { round, epochs: budget, rounds: budgets!.length };
  // The last round does everything; an earlier one (final: false) only what choosing who goes on
  // needs. An item without the field (one round, or written before it) is a last training (types.ts).
  // A learning curve's point is scored on validation only (no test split, no saved model).
  const final = item.final !== false && curve === null;
  const parsed = await phases.time('data', () => plannedDataset(store, spec.dataset, { runId, ...context.dataset }, { scope: opts.datasetScope }));
  const checkpointKey = curve === null ? keys.checkpoint(runId, candidateId) : keys.curveCheckpoint(runId, candidateId, curve);
  const resume = await phases.time('storeReads', () => readCheckpoint(store, checkpointKey));
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  let saved: NonNullable<CandidateCheckpoint['savedModel']> | undefined;
  const args: ResumableArgs = {
    runId,
    spec,
    candidate,
    info,
    splits: (repeat: number) =>
      fraction === undefined ? cachedSplits(parsed, spec.evaluation, spec.training.seed, repeat) : subsampleSplits(parsed, spec.evaluation, spec.training.seed, repeat, fraction),
    backend: opts.backend,
    epochBudget: budget,
    ...(resume ? { resume } : {}),
    deadline: deadline(taskStart, (opts.maxTaskSeconds ?? spec.training.maxTaskSeconds) * 1000, opts.stopsAt),
    scoring: final ? 'full' : 'validation',
    phases,
    ...(opts.onEpoch ? { onEpoch: opts.onEpoch } : {}),
    // The last trial's model (kept weights) is saved as tfjs model.json + weights.bin with the
    // preprocessing fitted on that trial's training rows beside it (preprocessing.json, and in the
    // model's userDefinedMetadata), so it can be loaded and fed raw rows without training again.
    onFinalModel:
      curve !== null
        ? undefined
        : async (model, split: SplitData) => {
            const prefix = keys.model(runId, candidateId);
            if (split.preprocessing) embedPreprocessing(model, split.preprocessing);
            // Written side by side: each write waits for its data to reach the disk (or S3), and neither needs the other.
            const [{ modelKey }, preprocessingKey] = await Promise.all([
              saveModelToStore(model, store, prefix),
              split.preprocessing ? savePreprocessing(store, prefix, split.preprocessing) : undefined,
            ]);
            saved = { modelKey, ...(preprocessingKey ? { preprocessingKey } : {}), repeat: split.repeat, fold: split.fold, trainRows: split.train.n };
          },
  };
  let doc: CandidateDoc;
  // The peak RSS in the document is this candidate's, not the process's lifetime peak (where the OS allows).
  const peakRssScope = resetPeakRss();
  try {
    const progress = await trainCandidateResumable(args);
    const checkpoint = progress.checkpoint;
    if (checkpoint) {
      // This task's share, and the model saved so far (a trial scored in an earlier task saved it then).
      const task = taskUse(taskStart, cpuStart);
      checkpoint.totals = {
        ...checkpoint.totals,
        tasks: checkpoint.totals.tasks + 1,
        taskSeconds: checkpoint.totals.taskSeconds + task.seconds,
        cpuSeconds: checkpoint.totals.cpuSeconds + task.cpuSeconds,
      };
      checkpoint.savedModel = saved ?? checkpoint.savedModel;
    }
    if (progress.status === 'paused') {
      await phases.time('checkpoint', async () => {
        await store.put(checkpointKey, encodeCheckpoint(progress.checkpoint), 'application/octet-stream');
        await putJson(store, keys.continuation(runId, candidateId, curve), { ...item, status: 'continue' });
      });
      return out('continue');
    }
    // A halving candidate that may go on to a later round keeps its place; a finished one needs none.
    if (checkpoint && rung && rung.round < rung.rounds - 1) {
      await phases.time('checkpoint', () => store.put(checkpointKey, encodeCheckpoint(checkpoint), 'application/octet-stream'));
    }
    doc = progress.doc;
    const model = saved ?? checkpoint?.savedModel ?? resume?.savedModel ?? undefined;
    if (model) {
      const { modelKey, preprocessingKey, ...trial } = model;
      const epoch = doc.trials.find((t) => t.repeat === trial.repeat && t.fold === trial.fold)?.bestEpoch;
      doc = { ...doc, modelKey, ...(preprocessingKey && epoch !== undefined ? { savedModel: { modelKey, preprocessingKey, ...trial, epoch } } : {}) };
    }
    doc = { ...doc, compute: compute(checkpoint?.totals ?? addTask(resume?.totals, taskUse(taskStart, cpuStart))) };
  } catch (err) {
    if (failureKind(err) !== 'candidate') throw err;
    doc = { ...failedDoc(args, err), compute: compute(addTask(resume?.totals, taskUse(taskStart, cpuStart))) };
  }
  doc = { ...doc, memory: { ...doc.memory, peakRssScope } };
  if (rung) doc = { ...doc, rung };
  // Replaced: a retrained candidate's old document, and a halving candidate's document of the round
  // before (the round's item is trained by one task at a time). Otherwise written only if absent, so a
  // task that ran twice at once (a retried invocation) keeps the first document.
  const written = await phases.time('storeWrites', async () => {
    if (item.retrain || rung) await putJson(store, docKey, doc);
    else return putJsonIfAbsent(store, docKey, doc);
    return true;
  });
  return out(written ? doc.status : 'skipped');
}

/**
 * When training pauses (performance.now() ms): after `maxTaskMs`, or a safety margin before the task
 * is stopped, whichever comes first.
 */
function deadline(taskStart: number, maxTaskMs: number, stopsAt: number | undefined): number {
  const byMax = taskStart + maxTaskMs;
  if (stopsAt === undefined) return byMax;
  const left = stopsAt - Date.now();
  const now = performance.now();
  return Math.min(byMax, now + left - safetyMarginMs(left + (now - taskStart)));
}

/**
 * The candidate's checkpoint; none when there is none or it cannot be read (cut short, overwritten):
 * training then starts over, which reaches the same weights (every random stream is seeded), so a
 * broken checkpoint never fails a candidate for good.
 */
async function readCheckpoint(store: Store, key: string): Promise<CandidateCheckpoint | undefined> {
  try {
    return decodeCheckpoint(await store.get(key), key);
  } catch (err) {
    if (err instanceof NotFoundError || (err instanceof LayerbenchError && err.code === 'E_CHECKPOINT')) return undefined;
    throw err;
  }
}

const BUDGETS_CACHE_SIZE = 8;
const budgetsCache = new Map<string, Promise<number[] | null>>();

/**
 * A halving run's epoch budgets per round (null: the run has no halving state). Plan lays them out and
 * nothing changes them after (Promote appends rounds, never budgets), so a process reads and validates
 * runs/<runId>/halving.json once per run rather than once per task, as readTaskContext keeps the
 * run's context.
 */
function halvingBudgets(store: Store, runId: string): Promise<number[] | null> {
  const id = `${store.location}\u0000${runId}`;
  let loading = budgetsCache.get(id);
  if (!loading) {
    loading = readHalvingState(store, runId).then((state) => state?.budgets ?? null);
    budgetsCache.set(id, loading);
    // Not kept: a failed read, nor a run whose state is not written yet.
    loading.then((b) => b === null && budgetsCache.delete(id)).catch(() => budgetsCache.delete(id));
    while (budgetsCache.size > BUDGETS_CACHE_SIZE) budgetsCache.delete(budgetsCache.keys().next().value!);
  }
  return loading;
}

/** This task's wall and CPU seconds so far. */
function taskUse(startMs: number, cpuStart: NodeJS.CpuUsage): { seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - startMs) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

type Totals = Pick<CandidateCheckpoint['totals'], 'tasks' | 'taskSeconds' | 'cpuSeconds'>;

function addTask(before: Totals | undefined, task: { seconds: number; cpuSeconds: number }): Totals {
  return { tasks: (before?.tasks ?? 0) + 1, taskSeconds: (before?.taskSeconds ?? 0) + task.seconds, cpuSeconds: (before?.cpuSeconds ?? 0) + task.cpuSeconds };
}

/** Where this process runs: a Lambda function (its configured memory and architecture) or a local worker. */
function compute(totals: Totals): Compute {
  const memory = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const lambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
  return {
    tasks: totals.tasks,
    taskSeconds: totals.taskSeconds,
    cpuSeconds: totals.cpuSeconds,
    platform: lambda ? 'lambda' : 'local',
    memoryMb: lambda && Number.isInteger(memory) ? memory : null,
    architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
  };
}
