/**
 * Promote: between the Map's passes. First, per run, the items of Train tasks that handed over
 * (src/steps/continuations.ts): they are the next pass, and nothing is decided before they are done.
 * Then between the rounds of a search in rounds (halving, hyperband: src/search/). The Choice after
 * Aggregate comes here while a run has a round left; per such run this step reads the round's
 * documents and what the run spent, and hands them to the run's search strategy, which decides who
 * goes on (halving: 1 in eta of each bracket — the best and the smallest of those the paired test
 * cannot tell from it, or the top and a few smaller ones ≈ the cut) or stops the rounds
 * (`search.budget`, nobody left); it records the decision in `runs/<runId>/halving.json` and writes
 * the next round's items, those that cost most per epoch first
 * (`plans/<planId>.json`, the same list the Map's ItemReader reads after Plan). Its output has Plan's
 * shape, `{ runs, itemsKey, itemCount }`, and the state machine goes back to TrainCandidates.
 *
 * Idempotent: a retried Promote finds the round it already opened (its documents not yet written)
 * and writes that round's items again instead of deciding twice.
 */
import { priceTable, type PriceTable } from '../cost/prices.js';
import { runCost } from '../cost/estimate.js';
import { trialPoints } from '../results/analysis.js';
import type { CandidateDoc } from '../results/document.js';
import { epochsTrained, readHalvingState, type Spend } from '../results/halving.js';
import { strategyFor } from '../search/strategies.js';
import type { RoundContext, RoundResult } from '../search/strategy.js';
import { higherIsBetter, rankingMetric } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { putJson, type Store } from '../store/store.js';
import { readRunDocuments } from './documents.js';
import { readManifest } from '../results/manifest.js';
import { openCurveRound } from './curve.js';
import { readContinuations } from './continuations.js';
import { deleteScratch } from './cleanup.js';
import { planId, roundFields } from './plan.js';
import { parsePayload, promoteInputSchema, type PlanOutput, type PromoteInput, type RunRef, type WorkItem } from './types.js';

export type { PromoteInput };

export interface PromoteOptions {
  now?: Date;
  /** The price table for search.budget.usd (default: the table in the code). */
  prices?: PriceTable;
}

export async function promote(store: Store, payload: PromoteInput, opts: PromoteOptions = {}): Promise<PlanOutput> {
  const input = parsePayload(promoteInputSchema, payload, 'Promote');
  const now = opts.now ?? new Date();
  const prices = opts.prices ?? priceTable();
  const runs: RunRef[] = [];
  const items: WorkItem[] = [];
  const handedOver: string[] = [];
  for (const run of input.runs) {
    const manifest = run.duplicate ? undefined : await readManifest(store, run.runId);
    runs.push({ runId: run.runId, sweep: run.sweep, candidates: manifest?.candidates.length ?? ('candidates' in run ? run.candidates : 0), ...(run.duplicate ? { duplicate: true } : {}) });
    if (!manifest) continue;
    // Tasks that handed over go on first: the round (or the grid) is not trained until they are done.
    const continuing = await readContinuations(store, run.runId);
    if (continuing.items.length > 0) {
      items.push(...continuing.items);
      handedOver.push(...continuing.keys);
      continue;
    }
    const state = await readHalvingState(store, run.runId);
    // The search is over: the learning curve's round, when the spec asks for one (src/steps/curve.ts).
    if (!state || state.stopped) {
      items.push(...(await openCurveRound(store, manifest, now)));
      continue;
    }
    const search = strategyFor(manifest.sweep.search);
    const { docs } = await readRunDocuments(store, manifest);
    const byId = new Map(docs.map((d) => [d.candidate.id, d]));
    const round = search.round(state, []);
    const open = round.candidates.filter((id) => !doneInRound(byId.get(id), round.round ?? 0));
    if (open.length > 0) {
      // The round is not trained yet (a retried Promote after opening it): its items once more.
      items.push(...dearestFirst(open, byId).map((candidateId) => ({ runId: run.runId, candidateId, ...roundFields(round) })));
      continue;
    }
    if (search.done(state)) {
      items.push(...(await openCurveRound(store, manifest, now)));
      continue;
    }
    const results = new Map(round.candidates.map((id) => [id, roundResult(byId.get(id)!)]));
    const next = search.advance(state, results, roundContext(docs, rankingMetric(manifest.sweep), prices, now, state.rounds.length));
    await putJson(store, keys.halving(run.runId), next);
    const opened = search.round(next, []);
    if (next.stopped === null) items.push(...dearestFirst(opened.candidates, byId).map((candidateId) => ({ runId: run.runId, candidateId, ...roundFields(opened) })));
  }
  const itemsKey = keys.plan(`${planId(now)}-promote`);
  await store.put(itemsKey, JSON.stringify(items), 'application/json');
  await deleteScratch(store, handedOver);
  return { runs, itemsKey, itemCount: items.length };
}

/**
 * The round's candidates, those whose epochs cost the most CPU in the round before first (a joining
 * bracket's, never trained, last): as Plan orders the first round by size, so the workers do not end
 * the round with one idle while the other trains the widest network.
 */
function dearestFirst(ids: readonly string[], byId: ReadonlyMap<string, CandidateDoc>): string[] {
  const perEpoch = (id: string) => {
    const d = byId.get(id);
    return d?.compute ? d.compute.cpuSeconds / Math.max(1, epochsTrained(d)) : 0;
  };
  const cost = new Map(ids.map((id) => [id, perEpoch(id)]));
  return [...ids].sort((a, b) => cost.get(b)! - cost.get(a)!);
}

function doneInRound(doc: CandidateDoc | undefined, round: number): boolean {
  return doc !== undefined && (doc.status === 'failed' || (doc.rung?.round ?? -1) >= round);
}

/** A candidate as its round left it: its mean validation metric over trials when it succeeded, else null. */
function roundResult(doc: CandidateDoc): RoundResult {
  const ok = doc.status === 'succeeded' && doc.metric.mean !== null && Number.isFinite(doc.metric.mean);
  return { candidateId: doc.candidate.id, mean: ok ? doc.metric.mean : null, params: doc.parameterCount, points: ok ? trialPoints(doc) : [] };
}

/** What the run spent so far, measured by its documents and priced (src/cost/estimate.ts), and the metric's direction. */
function roundContext(docs: CandidateDoc[], metric: ReturnType<typeof rankingMetric>, prices: PriceTable, now: Date, rounds: number): RoundContext {
  const cost = runCost(docs, prices, rounds);
  const spent: Spend = { epochs: docs.reduce((s, d) => s + epochsTrained(d), 0), usd: cost.total.usd, cpuSeconds: cost.training.cpuSeconds };
  return { higherIsBetter: higherIsBetter(metric), spent, usdPerEpoch: spent.epochs > 0 ? cost.training.usd / spent.epochs : 0, now };
}
