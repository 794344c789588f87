/**
 * What a search in rounds saved: what its candidates used — epochs, CPU-seconds and estimated dollars
 * (./estimate.ts) — against what the full grid would have used to train every one of them to
 * training.epochs in one task, estimated from what the same candidates measured.
 *
 * The grid's figures, per candidate with a compute record:
 *  - **epochs**: a trial that finished (early stopping ended it, or it reached training.epochs) trains
 *    in the grid exactly what it trained here — continuing from a checkpoint ends where an uninterrupted
 *    run does. A trial the search stopped at a rung would have gone on: the median length of the run's
 *    finished trials, at least what it trained (training.epochs when none finished).
 *  - **CPU-seconds and billed seconds**: the candidate's own per-epoch training cost (its time inside
 *    fit, over its epochs) times those epochs, plus once — one task instead of one per round — what
 *    each of its tasks spent outside fit (start, model build, scoring, saving, store writes).
 *  - **dollars**: that compute priced as one task and one Map item per candidate, and the run's
 *    overhead for one round.
 * Candidates without a compute record (older or Catch-written documents) are left out of both sides.
 */
import type { Compute } from './compute.js';
import { candidateCost, runOverhead } from './estimate.js';
import type { PriceTable } from './prices.js';

/** Epochs, CPU-seconds and estimated dollars of one side (usd null without a price table). */
export interface ComputeUse {
  epochs: number;
  cpuSeconds: number;
  usd: number | null;
}

export interface GridComparison {
  /** What the run's candidates used, over every round they trained in. */
  used: ComputeUse;
  /** The full grid's estimate (see the module comment). */
  grid: ComputeUse;
  /** Candidates without a compute record, in neither sum. */
  unmeasured: number;
}

/** What the comparison reads of a candidate's document (src/results/document.ts). */
interface Doc {
  trials: readonly { stoppedEarly: boolean; epochs: { readonly length: number } }[];
  timing: { fitSeconds: number };
  compute?: Compute | undefined;
}

/** The median of a non-empty list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Compare a run's documents with the full grid. `epochs` is training.epochs; `rounds` how many rounds
 * the run had.
 */
export function compareWithGrid(docs: readonly Doc[], epochs: number, opts: { prices?: PriceTable | null; rounds: number }): GridComparison {
  const finished = (t: Doc['trials'][number]) => t.stoppedEarly || t.epochs.length >= epochs;
  const lengths = docs.flatMap((d) => d.trials.filter(finished).map((t) => t.epochs.length));
  const typical = lengths.length > 0 ? median(lengths) : epochs;
  const used: ComputeUse = { epochs: 0, cpuSeconds: 0, usd: opts.prices ? runOverhead(opts.rounds, opts.prices).usd : null };
  const grid: ComputeUse = { epochs: 0, cpuSeconds: 0, usd: opts.prices ? runOverhead(1, opts.prices).usd : null };
  let unmeasured = 0;
  for (const d of docs) {
    const c = d.compute;
    if (!c) {
      unmeasured++;
      continue;
    }
    const trained = d.trials.reduce((s, t) => s + t.epochs.length, 0);
    const inGrid = d.trials.reduce((s, t) => s + (finished(t) ? t.epochs.length : Math.min(epochs, Math.max(t.epochs.length, typical))), 0);
    const once = asOneTask(c, d.timing.fitSeconds, trained, inGrid);
    used.epochs += trained;
    used.cpuSeconds += c.cpuSeconds;
    grid.epochs += inGrid;
    grid.cpuSeconds += once.cpuSeconds;
    if (opts.prices && used.usd !== null && grid.usd !== null) {
      used.usd += candidateCost(c, opts.prices).usd;
      grid.usd += candidateCost(once, opts.prices).usd;
    }
  }
  return { used, grid, unmeasured };
}

/** A candidate's compute scaled to `epochs` epochs in one task: its per-epoch fit cost, plus one task's share of what lay outside fit. */
function asOneTask(c: Compute, fitSeconds: number, trained: number, epochs: number): Compute {
  const tasks = Math.max(1, c.tasks);
  // The share of the tasks' wall time spent inside fit; the same share of their CPU time.
  const fitShare = c.taskSeconds > 0 ? Math.min(1, Math.max(0, fitSeconds / c.taskSeconds)) : 0;
  const scale = trained > 0 ? epochs / trained : 1;
  const oneTask = (total: number) => (total * (1 - fitShare)) / tasks + total * fitShare * scale;
  return { ...c, tasks: 1, taskSeconds: oneTask(c.taskSeconds), cpuSeconds: oneTask(c.cpuSeconds) };
}
