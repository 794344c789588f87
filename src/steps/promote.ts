/**
 * Promote: between the rounds of a halving run (src/search/halving.ts). The Choice after Aggregate
 * comes here while a run has a round left; per such run this step reads the round's documents, ranks
 * each bracket and decides who goes on (the top 1 in eta, and whoever the paired test cannot tell from
 * the cut), checks `search.budget` against what the run spent and what the next round would cost,
 * records the decision in `runs/<runId>/halving.json` and writes the next round's items
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
import { currentRound, epochsTrained, hasNextRound, readHalvingState, type BracketDecision, type HalvingState, type Spend } from '../results/halving.js';
import { promoted, rankRung } from '../search/halving.js';
import { higherIsBetter, rankingMetric } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { putJson, type Store } from '../store/store.js';
import { readRunDocuments } from './documents.js';
import { readManifest } from './manifest.js';
import { planId } from './plan.js';
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
  for (const run of input.runs) {
    const manifest = run.duplicate ? undefined : await readManifest(store, run.runId);
    runs.push({ runId: run.runId, sweep: run.sweep, candidates: manifest?.candidates.length ?? ('candidates' in run ? run.candidates : 0), ...(run.duplicate ? { duplicate: true } : {}) });
    if (!manifest) continue;
    const state = await readHalvingState(store, run.runId);
    if (!state || state.stopped) continue;
    const { docs } = await readRunDocuments(store, manifest);
    const byId = new Map(docs.map((d) => [d.candidate.id, d]));
    const round = currentRound(state);
    const open = round.candidates.filter((id) => !doneInRound(byId.get(id), round.round));
    if (open.length > 0) {
      // The round is not trained yet (a retried Promote after opening it): its items once more.
      items.push(...open.map((candidateId) => ({ runId: run.runId, candidateId, round: round.round })));
      continue;
    }
    if (!hasNextRound(state)) continue;
    const next = decide(state, byId, rankingMetric(manifest.sweep), docs, prices, now);
    await putJson(store, keys.halving(run.runId), next);
    if (next.stopped === null) {
      const opened = currentRound(next);
      items.push(...opened.candidates.map((candidateId) => ({ runId: run.runId, candidateId, round: opened.round })));
    }
  }
  const itemsKey = keys.plan(`${planId(now)}-promote`);
  await store.put(itemsKey, JSON.stringify(items), 'application/json');
  return { runs, itemsKey, itemCount: items.length };
}

function doneInRound(doc: CandidateDoc | undefined, round: number): boolean {
  return doc !== undefined && (doc.status === 'failed' || (doc.rung?.round ?? -1) >= round);
}

/** The state after the current round's promotion: the next round opened, or the rounds stopped (budget, nobody left). */
function decide(state: HalvingState, byId: Map<string, CandidateDoc>, metric: string, docs: CandidateDoc[], prices: PriceTable, now: Date): HalvingState {
  const round = currentRound(state);
  const higher = higherIsBetter(metric as Parameters<typeof higherIsBetter>[0]);
  const inRound = new Set(round.candidates);
  const brackets: BracketDecision[] = state.brackets
    .filter((b) => b.startRound <= round.round)
    .map((b) => {
      const entries = b.candidates
        .filter((id) => inRound.has(id))
        .map((id) => {
          const doc = byId.get(id)!;
          const ok = doc.status === 'succeeded' && doc.metric.mean !== null && Number.isFinite(doc.metric.mean);
          return { candidateId: id, mean: ok ? doc.metric.mean : null, params: doc.parameterCount, points: ok ? trialPoints(doc) : [] };
        });
      return rankRung(entries, state.eta, higher, b.startRound);
    })
    .filter((b) => b.entered > 0);
  const goOn = brackets.flatMap(promoted);
  const nextRound = round.round + 1;
  const joining = state.brackets.filter((b) => b.startRound === nextRound).flatMap((b) => b.candidates);
  const candidates = [...goOn, ...joining];
  const budgetNext = state.budgets[nextRound]!;
  const cost = runCost(docs, prices, state.rounds.length);
  const spent: Spend = { epochs: docs.reduce((s, d) => s + epochsTrained(d), 0), usd: cost.total.usd, cpuSeconds: cost.training.cpuSeconds };
  const decided: HalvingState = {
    ...state,
    rounds: state.rounds.map((r) => (r.round === round.round ? { ...r, promotion: { brackets, spent, decidedAt: now.toISOString() } } : r)),
  };
  const untrained = candidates.map((candidateId) => ({ candidateId, epochs: budgetNext }));
  if (candidates.length === 0) {
    return { ...decided, stopped: { reason: 'no-candidates', message: `no candidate of round ${round.round} succeeded: nothing to promote`, untrained, spent } };
  }
  // What the next round would train: the promoted continue from their rung, the joining start from scratch.
  const epochsNext = state.trials * (goOn.length * (budgetNext - round.epochs) + joining.length * budgetNext);
  const usdPerEpoch = spent.epochs > 0 ? cost.training.usd / spent.epochs : 0;
  const usdNext = epochsNext * usdPerEpoch;
  const b = state.budget;
  const over =
    b?.epochs !== undefined && spent.epochs + epochsNext > b.epochs
      ? `round ${nextRound} would train ${epochsNext} more epochs: ${spent.epochs} + ${epochsNext} is over search.budget.epochs (${b.epochs})`
      : b?.usd !== undefined && spent.usd + usdNext > b.usd
        ? `round ${nextRound} would cost about $${usdNext.toPrecision(3)} more: $${spent.usd.toPrecision(3)} + $${usdNext.toPrecision(3)} is over search.budget.usd ($${b.usd})`
        : null;
  if (over) return { ...decided, stopped: { reason: 'budget', message: over, untrained, spent } };
  return { ...decided, rounds: [...decided.rounds, { round: nextRound, epochs: budgetNext, candidates }] };
}
