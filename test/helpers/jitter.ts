/**
 * How long a Step Functions retrier keeps trying, with full jitter: before retry k (k = 0, 1, …) it
 * waits a time drawn uniformly from [0, c_k], c_k = min(MaxDelaySeconds, IntervalSeconds · BackoffRate^k)
 * ("Retrying after an error", Step Functions developer guide; aws-local-stepfunctions does the same).
 *
 * `probabilityAllPausesShorterThan` is exact: for independent U(0, c_i), i = 1…n, and t > 0,
 *   P(Σ U_i < t) = 1 / (n! · Π c_i) · Σ_{A ⊆ {1…n}} (−1)^|A| · (t − Σ_{i∈A} c_i)₊ⁿ
 * (the volume of the simplex under t cut by the box, by inclusion–exclusion), computed in integer
 * arithmetic (BigInt) for integer caps and t, so no rounding hides a small probability.
 */

export interface RetrierShape {
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  MaxAttempts?: number;
  JitterStrategy?: string;
}

/** The caps c_0 … c_{n−1} of the pauses before each retry (Step Functions' defaults: 1 s, rate 2, 3 attempts). */
export function pauseCaps(r: RetrierShape): number[] {
  const interval = r.IntervalSeconds ?? 1;
  const rate = r.BackoffRate ?? 2;
  const attempts = r.MaxAttempts ?? 3;
  return Array.from({ length: attempts }, (_, k) => Math.min(r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY, interval * rate ** k));
}

/** P(the sum of the jittered pauses < t seconds). Caps and t must be integers. */
export function probabilityAllPausesShorterThan(caps: readonly number[], t: number): number {
  if (!Number.isInteger(t) || caps.some((c) => !Number.isInteger(c) || c <= 0)) throw new Error('caps and t must be positive integers');
  const n = caps.length;
  let sum = 0n;
  const visit = (i: number, used: number, sign: bigint) => {
    if (used >= t) return; // (t − Σ)₊ is 0 from here on: caps only add
    if (i === n) {
      sum += sign * BigInt(t - used) ** BigInt(n);
      return;
    }
    visit(i + 1, used, sign);
    visit(i + 1, used + caps[i]!, -sign);
  };
  visit(0, 0, 1n);
  let denominator = 1n;
  for (let k = 2; k <= n; k++) denominator *= BigInt(k);
  for (const c of caps) denominator *= BigInt(c);
  // The box holds at most all of the simplex: when every cap is at least t the answer is tⁿ / (n! Π c).
  const scale = 10n ** 30n;
  return Number((sum * scale) / denominator) / 1e30;
}
