/**
 * Random search: `search.count` depth × width points drawn from the grid without replacement, seeded
 * by `search.seed` (the same sweep draws the same points), each trained once to training.epochs.
 */
import { rng, shuffle } from '../random.js';
import { gridPoints, oneRound } from './grid.js';
import type { SearchStrategy } from './strategy.js';

export const random: SearchStrategy = oneRound('random', (spec) => {
  const pool = shuffle(gridPoints(spec), rng(spec.search.seed));
  return pool.slice(0, Math.min(spec.search.count ?? pool.length, pool.length));
});
