/**
 * A search strategy — what KerasTuner calls an Oracle. It proposes the candidates of a round, decides
 * after a round who goes on given the round's results, says when the search is done, describes its
 * schedule (for `layerbench plan` and the cost estimate) and checks its own spec options. The steps
 * (Plan, Promote, Aggregate's "another round?") reach a strategy through `strategyFor`
 * (./strategies.ts) and call only this interface, so a new strategy is one module here, its line in
 * that list, and its options in the spec (src/sweep/schema.ts).
 *
 * A search that trains every candidate once (grid, random) keeps no state: its one round is every
 * candidate, to training.epochs. One that trains in rounds keeps its state in
 * `runs/<runId>/halving.json` (layerbench.halving.v1, src/results/halving.ts): the rounds' epoch
 * budgets and brackets, per round the candidates and who went on and why, and why the rounds ended
 * early if they did.
 */
import type { HalvingState, Spend } from '../results/halving.js';
import type { TrialPoint } from '../stats/index.js';
import type { GridPoint } from '../sweep/candidate.js';
import type { SearchSpec, SweepSpec } from '../sweep/schema.js';
import type { SearchProblem } from '../sweep/search-rules.js';

/** The state of a search in rounds; null for a search of one round. */
export type SearchState = HalvingState;

/** The round to train now. */
export interface Round {
  /** The round's number; null for the one round of a search without rounds (its work items carry none). */
  round: number | null;
  candidates: string[];
  /**
   * The search's last planned round: its documents are the ones ranked, so its Train tasks do all a
   * candidate's last training does (save the model, score the test split). Before it, a candidate
   * either goes on (from its checkpoint) or stops at its rung, unranked.
   */
  final: boolean;
}

/** A candidate as a round left it: its mean validation metric (null: failed or no score), size and trials. */
export interface RoundResult {
  candidateId: string;
  mean: number | null;
  params: number | null;
  points: readonly TrialPoint[];
}

/** What a strategy needs to know, besides the results, to decide after a round. */
export interface RoundContext {
  higherIsBetter: boolean;
  /** What the run spent so far: epochs, CPU-seconds and estimated dollars (src/cost/estimate.ts). */
  spent: Spend;
  /** Estimated dollars per epoch trained so far: what the next round would cost per epoch. */
  usdPerEpoch: number;
  now: Date;
}

/** One round of a schedule: the epochs a candidate has trained by its end, how many candidates train in it. */
export interface ScheduledRound {
  epochs: number;
  /** If only the top go on. */
  candidates: number;
  /** If every rung also keeps the most extras the promotion allows (small ones the data cannot separate from the cut). */
  atMost: number;
}

/** What a search will train, before anything is: for `layerbench plan` and what it would cost. */
export interface Schedule {
  rounds: ScheduledRound[];
  /** Epochs in all, every trial of every candidate, before early stopping: as planned, at most, and the full grid's. */
  epochs: { planned: number; atMost: number; grid: number };
}

export interface SearchStrategy {
  readonly name: SearchSpec['strategy'];
  /** The depth × width points the search visits, in a stable order (the candidates, once resolved). */
  points(spec: SweepSpec): GridPoint[];
  /** What is wrong with the spec's options for this strategy and this many candidates (the spec's validation reports them too). */
  problems(spec: SweepSpec, candidates: number): SearchProblem[];
  /** The rounds it will train, for `layerbench plan` and the cost estimate. */
  schedule(spec: SweepSpec, candidates: number): Schedule;
  /** A new run's state, the first round open; null when the search has one round (nothing to keep). */
  start(runId: string, spec: SweepSpec, candidateIds: readonly string[]): SearchState | null;
  /** The round to train: the open round of the state, or every candidate of a search without rounds. */
  round(state: SearchState | null, candidateIds: readonly string[]): Round;
  /** After a round, all of whose candidates have documents: the state with who went on (the next round open) or why the search stops. */
  advance(state: SearchState, results: ReadonlyMap<string, RoundResult>, context: RoundContext): SearchState;
  /** Whether the search is over: no round is left to open after the current one. */
  done(state: SearchState | null): boolean;
}
