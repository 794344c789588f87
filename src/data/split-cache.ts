/**
 * A worker trains many candidates on the same splits: every candidate of a run sees the same
 * train/validation/test samples at the same (repeat, fold), encoded by the same preprocessing fitted on
 * those training samples (split.ts). So a process keeps the encoded splits it made, per parsed dataset,
 * evaluation spec, seed and repeat, up to a byte budget (least recently used first out): tabular and
 * series data are kept whole, while image sets larger than the budget are encoded again per candidate
 * (a gather of their rows) rather than held twice in a worker's memory.
 */
import type { EvaluationSpec } from '../sweep/schema.js';
import type { ParsedDataset } from './dataset.js';
import { splitDataset } from './split.js';
import type { SplitData } from './types.js';

/** Bytes of encoded splits a process keeps (default 32 MiB). */
const BUDGET = 32 * 2 ** 20;

interface Entry {
  splits: SplitData[];
  bytes: number;
}

const byDataset = new WeakMap<ParsedDataset, Map<string, Entry>>();
/** Every entry, oldest use first, for the budget. */
const lru = new Map<Entry, () => void>();
let used = 0;

function sizeOf(splits: SplitData[]): number {
  let bytes = 0;
  for (const s of splits) for (const set of [s.train, s.val, s.test]) if (set) bytes += set.x.byteLength + set.y.byteLength;
  return bytes;
}

/** splitDataset, kept while the budget allows. The returned splits are shared: read them, never change them. */
export function cachedSplits(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number, budget = BUDGET): SplitData[] {
  let entries = byDataset.get(parsed);
  if (!entries) byDataset.set(parsed, (entries = new Map()));
  const key = `${JSON.stringify(evaluation)}\u0000${seed}\u0000${repeat}`;
  const hit = entries.get(key);
  if (hit) {
    const drop = lru.get(hit)!;
    lru.delete(hit);
    lru.set(hit, drop);
    return hit.splits;
  }
  const splits = splitDataset(parsed, evaluation, seed, repeat);
  const entry = { splits, bytes: sizeOf(splits) };
  if (entry.bytes > budget) return splits;
  const map = entries;
  map.set(key, entry);
  lru.set(entry, () => map.delete(key));
  used += entry.bytes;
  for (const [old, drop] of lru) {
    if (used <= budget) break;
    drop();
    lru.delete(old);
    used -= old.bytes;
  }
  return splits;
}
