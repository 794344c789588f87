/**
 * What a candidate and a run cost, estimated from what the candidate documents measured
 * (`compute`: Train tasks, their wall and CPU seconds, memory and architecture) and one price table
 * (src/cost/prices.ts):
 *
 *  - deployed: Lambda GB-seconds (each task's wall time × the function's memory, at its
 *    architecture's price), one request per task, and each task's Map child execution — an Express
 *    child (the default) one request and its duration at 64 MB (the task's wall seconds, plus half of
 *    the 100 ms it is rounded up to), a Standard child two state transitions (Train, and the Pass
 *    that ends it); a task that handed over is one child, the task that went on another;
 *  - local: the CPU-seconds of the worker, and the same arithmetic as if those CPU-seconds had been
 *    the billed seconds of the table's Lambda memory and architecture — a local run's price on Lambda.
 *
 * A run adds what lies outside the candidates: Plan, per round the Map, Aggregate and the Choice (and
 * Promote between rounds), then Finalize and Report — their requests and state transitions. Their
 * Lambda seconds are not measured and are left out (they are a few seconds of 1 GB per run), and so
 * are the Map's extra passes for tasks that handed over (four transitions each).
 */
import type { Compute } from './compute.js';
import type { PriceTable } from './prices.js';

export interface CostEstimate {
  /** Billed seconds: task wall seconds on Lambda, CPU-seconds locally. */
  seconds: number;
  cpuSeconds: number;
  gbSeconds: number;
  requests: number;
  transitions: number;
  usd: number;
}

export type CostBasis = 'lambda' | 'local' | 'mixed' | 'none';

const ZERO: CostEstimate = { seconds: 0, cpuSeconds: 0, gbSeconds: 0, requests: 0, transitions: 0, usd: 0 };

function gbSecondPrice(prices: PriceTable, architecture: Compute['architecture']): number {
  return architecture === 'arm64' ? prices.lambdaGbSecondArm64 : prices.lambdaGbSecondX86;
}

/** Express children are billed in 64 MB steps of memory; ours hold an item of a few hundred bytes. */
const EXPRESS_CHILD_GB = 64 / 1024;

/** One candidate's cost (see the module comment). */
export function candidateCost(compute: Compute, prices: PriceTable): CostEstimate {
  const lambda = compute.platform === 'lambda';
  const seconds = lambda ? compute.taskSeconds : compute.cpuSeconds;
  const memoryMb = lambda && compute.memoryMb !== null ? compute.memoryMb : prices.memoryMb;
  const architecture = lambda ? compute.architecture : prices.architecture;
  const gbSeconds = (seconds * memoryMb) / 1024;
  const express = prices.mapExecution === 'express';
  const transitions = express ? 0 : 2 * compute.tasks;
  const children = express ? compute.tasks * prices.expressRequest + (compute.taskSeconds + 0.05 * compute.tasks) * EXPRESS_CHILD_GB * prices.expressGbSecond : 0;
  return {
    seconds,
    cpuSeconds: compute.cpuSeconds,
    gbSeconds,
    requests: compute.tasks,
    transitions,
    usd: gbSeconds * gbSecondPrice(prices, architecture) + compute.tasks * prices.lambdaRequest + transitions * prices.stateTransition + children,
  };
}

/** States the parent execution enters outside the Map, and the Lambda requests among them, for a run of `rounds` rounds. */
export function runStates(rounds: number): { transitions: number; requests: number } {
  const r = Math.max(1, rounds);
  // Plan; per round TrainCandidates, Aggregate, the Choice; Promote between rounds; Finalize, Report.
  return { transitions: 1 + 3 * r + (r - 1) + 2, requests: 1 + r + (r - 1) + 2 };
}

/** What runStates costs. */
export function runOverhead(rounds: number, prices: PriceTable): CostEstimate {
  const { transitions, requests } = runStates(rounds);
  return { ...ZERO, requests, transitions, usd: requests * prices.lambdaRequest + transitions * prices.stateTransition };
}

export interface RunCost {
  basis: CostBasis;
  /** Every candidate with a compute record, by id. */
  candidates: Map<string, CostEstimate>;
  /** Sum over the candidates. */
  training: CostEstimate;
  overhead: CostEstimate;
  total: CostEstimate;
  /** Candidates without a compute record (older documents, failures recorded by the Catch): not in the sums. */
  unmeasured: number;
}

function add(a: CostEstimate, b: CostEstimate): CostEstimate {
  return {
    seconds: a.seconds + b.seconds,
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    gbSeconds: a.gbSeconds + b.gbSeconds,
    requests: a.requests + b.requests,
    transitions: a.transitions + b.transitions,
    usd: a.usd + b.usd,
  };
}

/** The cost of a run's documents (all of them: ranked, stopped at a rung, failed). */
export function runCost(docs: readonly { candidate: { id: string }; compute?: Compute | undefined }[], prices: PriceTable, rounds = 1): RunCost {
  const candidates = new Map<string, CostEstimate>();
  let training = ZERO;
  let unmeasured = 0;
  const platforms = new Set<string>();
  for (const d of docs) {
    if (!d.compute) {
      unmeasured++;
      continue;
    }
    const c = candidateCost(d.compute, prices);
    candidates.set(d.candidate.id, c);
    training = add(training, c);
    platforms.add(d.compute.platform);
  }
  const overhead = runOverhead(rounds, prices);
  const basis: CostBasis = platforms.size === 0 ? 'none' : platforms.size > 1 ? 'mixed' : (platforms.values().next().value as 'lambda' | 'local');
  return { basis, candidates, training, overhead, total: add(training, overhead), unmeasured };
}
