/**
 * The seeded pseudo-random generator every part of layerbench draws from — random search, data
 * splits, weight initialisation, batch order, dropout — so the same seed always gives the same run.
 */

/** A seeded generator: call it for the next number; `state()` is where it stands. */
export type Random = (() => number) & { readonly state: () => number };

/**
 * Deterministic PRNG (mulberry32): numbers in [0, 1) from a 32-bit seed. Its whole state is one
 * uint32, `state()`; `rng(r.state())` continues exactly where `r` stands (a checkpoint resumes a
 * trial's batch order and dropout masks this way).
 */
export function rng(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => a });
}

/** Fisher–Yates shuffle in place with `random`; returns `xs`. */
export function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * The training seed of a repeat's trials: the spec's seed itself for the first repeat, a mix of seed
 * and repeat for the others. Not `seed + repeat`: with that, runs with seeds 1, 2 and 3 share two of
 * their three trials, and re-running with the next seed to check an answer mostly repeats the same
 * draws. Mixed, any two seeds give disjoint trials (as src/data/split.ts's splitSeed does for splits).
 */
export function trialSeed(seed: number, repeat: number): number {
  if (repeat === 0) return seed;
  return (Math.imul(seed ^ 0x2c1b3c6d, 0x297a2d39) + Math.imul(repeat, 0x9e3779b9)) >>> 1;
}
