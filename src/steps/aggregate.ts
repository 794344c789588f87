/**
 * Aggregate: per run, list and read the candidate documents in the store (RecordFailure wrote one
 * for every candidate the Map's Catch reported) and the run's baseline (when it has one), write the
 * leaderboard as JSON and CSV under `runs/<runId>/`, and decide — one analysis (src/results/analysis.ts)
 * for both. The report, leaderboard.md and the history are the Report step's (src/steps/report.ts). Nothing but run ids arrives through the state payload.
 *
 * A run with Train tasks that handed over (src/steps/continuations.ts) is not aggregated yet: `promote`
 * sends the workflow to Promote, which trains those items on in the Map's next pass.
 *
 * A halving run is aggregated after every round: the candidates of the round reached are ranked, those
 * stopped at an earlier rung are listed beside them, and `promote` tells the Choice after this state
 * whether a run has a round left (then Promote opens it and the Map trains it). Costs are priced with
 * `prices` (src/cost/prices.ts; the deployed function reads overrides from LAYERBENCH_PRICES).
 *
 * Scratch goes once it is no longer needed (src/steps/cleanup.ts): the item list the Map just read,
 * and the checkpoints of a run with no round left to train.
 */
import { isScratchKey, keys } from '../store/keys.js';
import type { CandidateDigest } from '../results/analysis.js';
import { deleteCheckpoints, deleteScratch } from './cleanup.js';
import { continuationKeys } from './continuations.js';
import { recordLostItems } from './lost-items.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { readRunDigests, type RunDocuments } from './documents.js';
import { buildLeaderboard } from '../results/leaderboard-build.js';
import { leaderboardCsv } from '../results/leaderboard-csv.js';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import type { Leaderboard } from '../results/leaderboard.js';
import { readManifest, type RunManifest } from '../results/manifest.js';
import { readRunExtras, type RunExtras } from '../results/run-extras.js';
import { aggregateInputSchema, parsePayload, type AggregateInput, type AggregateOutput, type RunSummary } from './types.js';
import { priceTable, type PriceTable } from '../cost/prices.js';
import { readHalvingState, splitByRung, type HalvingState } from '../results/halving.js';
import { strategyFor } from '../search/strategies.js';
import { curveRoundDue, writeLearningCurve } from './curve.js';

export interface AggregateOptions {
  now?: Date;
  /** The price table for the cost estimates (default: the table in the code). */
  prices?: PriceTable;
}

export async function aggregate(store: Store, payload: AggregateInput, opts: AggregateOptions = {}): Promise<AggregateOutput> {
  const input = parsePayload(aggregateInputSchema, payload, 'Aggregate');
  const runs: RunSummary[] = [];
  let promote = false;
  // Each run's handed-over items, listed once: for the lost items' check and for the run itself.
  const handedOver = new Map<string, Promise<string[]>>();
  const continuations = (runId: string): Promise<string[]> => {
    let listed = handedOver.get(runId);
    if (!listed) handedOver.set(runId, (listed = continuationKeys(store, runId)));
    return listed;
  };
  // A child of the Map that ended without a result: its candidate is recorded as failed, with the reason.
  if (input.itemsKey && isScratchKey(input.itemsKey)) await recordLostItems(store, input.itemsKey, continuations, opts.now ?? new Date());
  for (const ref of input.runs) {
    if (ref.duplicate) {
      runs.push(await existingSummary(store, ref.runId, ref.sweep));
      continue;
    }
    if ((await continuations(ref.runId)).length > 0) {
      // Tasks handed over: their candidates are not done, so nothing is ranked or cleaned up yet.
      promote = true;
      runs.push({ runId: ref.runId, sweep: ref.sweep, leaderboardKey: keys.leaderboard(ref.runId, 'json'), succeeded: 0, failed: 0 });
      continue;
    }
    const run = await aggregateRun(store, ref.runId, opts.now ?? new Date(), opts.prices ?? priceTable());
    if (!run.promote) await deleteCheckpoints(store, ref.runId);
    promote ||= run.promote;
    runs.push(run.summary);
  }
  if (input.itemsKey) await deleteScratch(store, [input.itemsKey]);
  return { runs, promote };
}

async function aggregateRun(store: Store, runId: string, now: Date, prices: PriceTable): Promise<{ summary: RunSummary; promote: boolean }> {
  const manifest = await readManifest(store, runId);
  const extras = await readRunExtras(store, runId);
  // Digests, not whole documents: 10,000 candidates' epoch curves would not fit a small Lambda (CandidateDigest).
  const run = await writeLeaderboard(store, manifest, await readRunDigests(store, manifest), extras, now, prices);
  const searchDone = strategyFor(manifest.sweep.search).done(run.halving);
  // The search done, a learning curve (spec learningCurve) is one more round (src/steps/curve.ts); once trained, its analysis.
  const curveDue = await curveRoundDue(store, manifest, searchDone);
  if (!curveDue) await writeLearningCurve(store, manifest, now);
  return { summary: summarise(run.leaderboard), promote: !searchDone || curveDue };
}

/**
 * Build the run's leaderboard and write it as JSON and CSV. Aggregate writes it first; Report
 * writes it again once Finalize saved the final model, whose test score it then carries. A halving
 * run's candidates of the last round reached are ranked, the others listed as stopped at their rung.
 */
export async function writeLeaderboard(
  store: Store,
  manifest: RunManifest,
  read: RunDocuments<CandidateDigest>,
  extras: RunExtras,
  now: Date,
  prices: PriceTable = priceTable(),
): Promise<{ leaderboard: Leaderboard; halving: HalvingState | null }> {
  const runId = manifest.runId;
  const halving = await readHalvingState(store, runId);
  const { ranked, stopped } = splitByRung(read.docs, halving);
  const lb = buildLeaderboard(manifest, ranked, read.missing, now.toISOString(), extras, { halving, stopped, prices });
  await putJson(store, keys.leaderboard(runId, 'json'), lb);
  await store.put(keys.leaderboard(runId, 'csv'), leaderboardCsv(lb), 'text/csv');
  return { leaderboard: lb, halving };
}

function summarise(lb: Leaderboard): RunSummary {
  const top = lb.rows[0];
  return {
    runId: lb.runId,
    sweep: lb.sweep,
    leaderboardKey: keys.leaderboard(lb.runId, 'json'),
    succeeded: lb.rows.length,
    failed: lb.failed.length,
    ...(top ? { best: { candidateId: top.candidateId, metric: lb.metric.name, value: top.metric.mean } } : {}),
    ...(lb.recommended ? { recommended: lb.recommended.candidateId } : {}),
  };
}

/** A duplicated execution leaves the run alone and reports what its leaderboard says (if it has one yet). */
async function existingSummary(store: Store, runId: string, sweep: string): Promise<RunSummary> {
  const key = keys.leaderboard(runId, 'json');
  if (await store.exists(key)) {
    // Either version: a v1 leaderboard (an older run) has no recommendation to report.
    let lb: Leaderboard | null = null;
    try {
      lb = parseLeaderboard(await getJson(store, key), key);
    } catch {
      lb = null; // not a leaderboard we can read: report the run without one
    }
    if (lb) return { ...summarise(lb), duplicate: true };
  }
  return { runId, sweep, leaderboardKey: key, succeeded: 0, failed: 0, duplicate: true };
}
