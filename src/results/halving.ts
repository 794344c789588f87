/**
 * A halving run's rounds, `runs/<runId>/halving.json` (`layerbench.halving.v1`): the budgets and
 * brackets Plan laid out (the halving strategy, src/search/halving/), then per round the candidates it
 * trained and — once Promote has decided — who went on and why: the top of the bracket, indistinguishable from the best or the cut
 * (with the paired test's p), stopped below it, or failed. If the rounds end early (the budget, or no
 * candidate left), `stopped` says why and what was left untrained. Plan writes it, Promote appends to
 * it; the report reads it to show the rungs.
 */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import type { CandidateDigest } from './analysis.js';
import type { CandidateDoc } from './document.js';

export const HALVING_SCHEMA = 'layerbench.halving.v1' as const;

export const VERDICTS = ['top', 'indistinguishable', 'stopped', 'failed'] as const;

export const candidateVerdictSchema = z.object({
  candidateId: z.string(),
  /** Mean validation metric at the rung's budget; null when the candidate failed. */
  mean: z.number().nullable(),
  /** Rank in its bracket at this rung (1 = best); null when failed. */
  rank: z.number().int().nullable(),
  verdict: z.enum(VERDICTS),
  /** The test against the rung's reference candidate (`against`: the cut, or the best) and its two-sided p; null for the top and when untestable. */
  test: z.enum(['paired', 'welch']).nullable(),
  p: z.number().nullable(),
});
export type CandidateVerdict = z.infer<typeof candidateVerdictSchema>;

export const bracketDecisionSchema = z.object({
  /** The round the bracket started in (halving: 0). */
  startRound: z.number().int(),
  /** Candidates that entered the round in this bracket. */
  entered: z.number().int(),
  /** The top k that go on: max(1, ⌊entered / eta⌋). */
  keep: z.number().int(),
  /**
   * What the others were tested against (src/search/halving/promotion.ts): "cut" — the top k went on,
   * and small candidates ≈ the k-th; "best" — more than k were ≈ the best, which went on with the
   * smallest of them. Decisions written before 2026-12-07 have no field: "cut".
   */
  against: z.enum(['cut', 'best']).default('cut'),
  /** The candidate named by `against` (the k-th ranked, or the best); null when none succeeded. */
  cut: z.string().nullable(),
  candidates: z.array(candidateVerdictSchema),
});
export type BracketDecision = z.infer<typeof bracketDecisionSchema>;

export const spendSchema = z.object({
  /** Epochs trained in all, over every trial of every candidate of the run. */
  epochs: z.number().int(),
  /** Estimated cost in US dollars (src/cost/estimate.ts). */
  usd: z.number(),
  cpuSeconds: z.number(),
});
export type Spend = z.infer<typeof spendSchema>;

export const roundSchema = z.object({
  round: z.number().int(),
  /** Epochs every candidate of the round is trained to, in all. */
  epochs: z.number().int(),
  /** Candidates trained in the round: those promoted into it, and those whose bracket starts here. */
  candidates: z.array(z.string()),
  /** Who went on after the round and why; absent for the last round and until Promote decided. */
  promotion: z.object({ brackets: z.array(bracketDecisionSchema), spent: spendSchema, decidedAt: z.string() }).optional(),
});
export type Round = z.infer<typeof roundSchema>;

export const halvingStateSchema = z.object({
  schema: z.literal(HALVING_SCHEMA),
  runId: z.string(),
  strategy: z.enum(['halving', 'hyperband']),
  eta: z.number().int(),
  minEpochs: z.number().int(),
  /** Epochs each round trains to; the last is training.epochs. */
  budgets: z.array(z.number().int()),
  /** Trials per candidate (repeats × folds). */
  trials: z.number().int(),
  brackets: z.array(z.object({ startRound: z.number().int(), candidates: z.array(z.string()) })),
  budget: z.object({ epochs: z.number().int().optional(), usd: z.number().optional() }).nullable(),
  rounds: z.array(roundSchema),
  /** Why no further round started although one was planned; null while the rounds run their course. */
  stopped: z
    .object({
      reason: z.enum(['budget', 'no-candidates']),
      message: z.string(),
      /** What the next round would have trained, to how many epochs in all. */
      untrained: z.array(z.object({ candidateId: z.string(), epochs: z.number().int() })),
      spent: spendSchema,
    })
    .nullable(),
});
export type HalvingState = z.infer<typeof halvingStateSchema>;

/** The run's halving state, or null for a run without one (grid and random sweeps, older runs). */
export async function readHalvingState(store: Store, runId: string): Promise<HalvingState | null> {
  const key = keys.halving(runId);
  if (!(await store.exists(key))) return null;
  const parsed = halvingStateSchema.safeParse(await getJson(store, key));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LayerbenchError(`${key}: not a ${HALVING_SCHEMA} document (${issue.path.join('.') || '(root)'}: ${issue.message})`, {
      code: 'E_DOCUMENT',
      kind: 'fatal',
    });
  }
  return parsed.data;
}

/** The round being trained or last trained. */
export function currentRound(state: HalvingState): Round {
  return state.rounds.at(-1)!;
}

/** Epochs a document's trials trained, in all (what the run actually spent, early stopping included). */
export function epochsTrained(doc: Pick<CandidateDigest, 'trials'>): number {
  return doc.trials.reduce((s, t) => s + t.epochs.length, 0);
}

/**
 * A halving run's documents split for ranking: the candidates of the furthest round reached (and
 * every failure) are ranked together; the others stopped at an earlier rung. Without a halving state
 * every document is ranked.
 */
export function splitByRung<D extends Pick<CandidateDoc, 'candidate' | 'status'>>(docs: readonly D[], state: HalvingState | null): { ranked: D[]; stopped: D[] } {
  if (!state) return { ranked: [...docs], stopped: [] };
  const last = new Set(currentRound(state).candidates);
  const ranked: D[] = [];
  const stopped: D[] = [];
  for (const d of docs) (d.status === 'failed' || last.has(d.candidate.id) ? ranked : stopped).push(d);
  return { ranked, stopped };
}

/** The round each candidate last trained in (its rung), from the state's rounds. */
export function lastRounds(state: HalvingState): Map<string, number> {
  const at = new Map<string, number>();
  for (const r of state.rounds) for (const id of r.candidates) at.set(id, r.round);
  return at;
}

/** What a halving run saved: epochs trained in all against the full grid's (every candidate × trials × training.epochs). */
export function epochsSaved(state: HalvingState, docs: readonly Pick<CandidateDigest, 'trials'>[], candidates: number): { trained: number; grid: number; fraction: number } {
  const trained = docs.reduce((s, d) => s + epochsTrained(d), 0);
  const grid = candidates * state.trials * state.budgets.at(-1)!;
  return { trained, grid, fraction: grid > 0 ? trained / grid : 0 };
}
