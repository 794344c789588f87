/**
 * The search strategies by name, as the spec's `search.strategy` names them. Loading this module
 * registers each strategy's rules for its spec options (src/sweep/search-rules.ts).
 */
import type { SearchSpec } from '../sweep/schema.js';
import { grid } from './grid.js';
import { halving, hyperband } from './halving/index.js';
import { random } from './random.js';
import type { SearchStrategy } from './strategy.js';

const STRATEGIES: Record<SearchSpec['strategy'], SearchStrategy> = { grid, random, halving, hyperband };

/** The strategy a sweep's search section names. */
export function strategyFor(search: Pick<SearchSpec, 'strategy'>): SearchStrategy {
  return STRATEGIES[search.strategy];
}
