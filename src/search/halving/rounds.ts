/**
 * A halving run's rounds as a state (`layerbench.halving.v1`, src/results/halving.ts): the first round
 * laid out, a round decided and the next opened — or the rounds stopped, by `search.budget` or because
 * nobody is left — and whether a round is left.
 */
import { fmtUsds } from '../../format.js';
import { rng, shuffle } from '../../random.js';
import { currentRound, HALVING_SCHEMA, type BracketDecision, type HalvingState } from '../../results/halving.js';
import { trialsPerCandidate, type HalvingStrategy, type SweepSpec } from '../../sweep/schema.js';
import type { Round, RoundContext, RoundResult } from '../strategy.js';
import { promoted, rankRung } from './promotion.js';
import { halvingShape, type HalvingShape } from './shape.js';

/** A halving sweep's brackets with their candidates: hyperband's split is a seeded shuffle of the grid. */
export function assignBrackets(shape: HalvingShape, candidateIds: readonly string[], seed: number): { startRound: number; candidates: string[] }[] {
  if (shape.brackets.length === 1) return [{ startRound: shape.brackets[0]!.startRound, candidates: [...candidateIds] }];
  const pool = shuffle([...candidateIds], rng(seed));
  let at = 0;
  return shape.brackets.map((b) => {
    const candidates = pool.slice(at, at + b.size);
    at += b.size;
    return { startRound: b.startRound, candidates };
  });
}

/** A halving run's state before its first round: the schedule, the brackets, round 0 open. */
export function startRounds(strategy: HalvingStrategy, runId: string, spec: SweepSpec, ids: readonly string[]): HalvingState {
  const shape = halvingShape(ids.length, spec.training.epochs, { ...spec.search, strategy });
  const brackets = assignBrackets(shape, ids, spec.search.seed);
  return {
    schema: HALVING_SCHEMA,
    runId,
    strategy,
    eta: shape.eta,
    minEpochs: shape.minEpochs,
    budgets: shape.budgets,
    trials: trialsPerCandidate(spec),
    brackets,
    budget: spec.search.budget ?? null,
    rounds: [{ round: 0, epochs: shape.budgets[0]!, candidates: brackets.filter((b) => b.startRound === 0).flatMap((b) => b.candidates) }],
    stopped: null,
  };
}

/** The round being trained (or last trained), and whether it is the last the schedule has. */
export function openRound(state: HalvingState): Round {
  const r = currentRound(state);
  return { round: r.round, candidates: [...r.candidates], final: r.round === state.budgets.length - 1 };
}

/** No round is left: the current one is the last, or the rounds stopped. */
export function roundsDone(state: HalvingState): boolean {
  return state.stopped !== null || currentRound(state).round >= state.budgets.length - 1;
}

/** The state after the current round's promotion: the next round opened, or the rounds stopped (budget, nobody left). */
export function decideRound(state: HalvingState, results: ReadonlyMap<string, RoundResult>, context: RoundContext): HalvingState {
  const round = currentRound(state);
  const inRound = new Set(round.candidates);
  const failed = (candidateId: string): RoundResult => ({ candidateId, mean: null, params: null, points: [] });
  const brackets: BracketDecision[] = state.brackets
    .filter((b) => b.startRound <= round.round)
    .map((b) =>
      rankRung(
        b.candidates.filter((id) => inRound.has(id)).map((id) => results.get(id) ?? failed(id)),
        state.eta,
        context.higherIsBetter,
        b.startRound,
      ),
    )
    .filter((b) => b.entered > 0);
  const goOn = brackets.flatMap(promoted);
  const nextRound = round.round + 1;
  const joining = state.brackets.filter((b) => b.startRound === nextRound).flatMap((b) => b.candidates);
  const candidates = [...goOn, ...joining];
  const budgetNext = state.budgets[nextRound]!;
  const spent = context.spent;
  const decided: HalvingState = {
    ...state,
    rounds: state.rounds.map((r) => (r.round === round.round ? { ...r, promotion: { brackets, spent, decidedAt: context.now.toISOString() } } : r)),
  };
  const untrained = candidates.map((candidateId) => ({ candidateId, epochs: budgetNext }));
  if (candidates.length === 0) {
    return { ...decided, stopped: { reason: 'no-candidates', message: `no candidate of round ${round.round} succeeded: nothing to promote`, untrained, spent } };
  }
  // What the next round would train: the promoted continue from their rung, the joining start from scratch.
  const epochsNext = state.trials * (goOn.length * (budgetNext - round.epochs) + joining.length * budgetNext);
  const usdNext = epochsNext * context.usdPerEpoch;
  const b = state.budget;
  const over =
    b?.epochs !== undefined && spent.epochs + epochsNext > b.epochs
      ? `round ${nextRound} would train ${epochsNext} more epochs: ${spent.epochs} + ${epochsNext} is over search.budget.epochs (${b.epochs})`
      : b?.usd !== undefined && spent.usd + usdNext > b.usd
        ? overUsd(nextRound, spent.usd, usdNext, b.usd!)
        : null;
  if (over) return { ...decided, stopped: { reason: 'budget', message: over, untrained, spent } };
  return { ...decided, rounds: [...decided.rounds, { round: nextRound, epochs: budgetNext, candidates }] };
}

/** The budget's refusal in dollars, every figure of it at one precision (src/format.ts fmtUsds). */
function overUsd(round: number, spent: number, next: number, budget: number): string {
  const [more, before, limit] = fmtUsds([next, spent, budget]);
  return `round ${round} would cost about $${more} more: $${before} + $${more} is over search.budget.usd ($${limit})`;
}
