/**
 * A worker trains many candidates on the same splits: every candidate of a run sees the same
 * train/validation/test samples at the same (repeat, fold), encoded by the same preprocessing fitted on
 * those training samples (split.ts). So a process keeps the encoded splits it made, per parsed dataset,
 * evaluation spec, seed and repeat, up to a byte budget (least recently used first out, but never a
 * repeat for another of the same sweep: see cachedSplits): tabular and series data are kept whole,
 * while image sets larger than the budget are encoded again per candidate (a gather of their rows)
 * rather than held twice in a worker's memory.
 */
import type { EvaluationSpec } from '../sweep/schema.js';
import type { ParsedDataset } from './dataset.js';
import { splitDataset } from './split.js';
import type { SplitData } from './types.js';

/**
 * Bytes of encoded splits a process keeps (default 64 MiB: both repeats of the 10,000-digit MNIST
 * example, 30 MiB each). Holding both cost the grid 15 % more CPU in the kernel while the wasm Slice
 * copied whole sets out of the heap (glibc trimmed and grew its heap around the copies); with
 * kernels/slice.ts it saves 12 % of the grid's task CPU and 30 % of halving's
 * (benchmarks/results/2026-12-07-session8.md).
 */
const BUDGET = 64 * 2 ** 20;

interface Entry {
  splits: SplitData[];
  bytes: number;
  /** The entries of its dataset (byDataset), and its key and group there. */
  entries: Map<string, Entry>;
  key: string;
  /** The evaluation spec and seed: the entries of one sweep's trials, one per repeat. */
  group: string;
}

const byDataset = new WeakMap<ParsedDataset, Map<string, Entry>>();
/** Every entry, least recently used first. */
const lru = new Set<Entry>();
let used = 0;

function sizeOf(splits: SplitData[]): number {
  let bytes = 0;
  for (const s of splits) for (const set of [s.train, s.val, s.test]) if (set) bytes += set.x.byteLength + set.y.byteLength;
  return bytes;
}

/**
 * splitDataset, kept while the budget allows. The returned splits are shared: read them, never change them.
 *
 * A worker asks for a sweep's repeats in turn, candidate after candidate (0, 1, 2, 0, 1, 2, …). Were a
 * repeat to push out the least recently used one of the same sweep when the budget cannot hold them
 * all, every request would miss (the MNIST example's two 30 MiB repeats did in a 32 MiB budget). So a
 * new entry displaces only other datasets' and sweeps' entries, and is not kept when its own sweep's
 * already fill the budget: the repeats that fit stay and hit.
 */
export function cachedSplits(parsed: ParsedDataset, evaluation: EvaluationSpec, seed: number, repeat: number, budget = BUDGET): SplitData[] {
  let entries = byDataset.get(parsed);
  if (!entries) byDataset.set(parsed, (entries = new Map()));
  const group = `${JSON.stringify(evaluation)}\u0000${seed}`;
  const key = `${group}\u0000${repeat}`;
  const hit = entries.get(key);
  if (hit) {
    lru.delete(hit);
    lru.add(hit);
    return hit.splits;
  }
  const splits = splitDataset(parsed, evaluation, seed, repeat);
  const entry: Entry = { splits, bytes: sizeOf(splits), entries, key, group };
  const sameSweep = (e: Entry) => e.entries === entry.entries && e.group === group;
  let kept = entry.bytes;
  for (const e of lru) if (sameSweep(e)) kept += e.bytes;
  if (kept > budget) return splits;
  for (const old of lru) {
    if (used + entry.bytes <= budget) break;
    if (sameSweep(old)) continue;
    old.entries.delete(old.key);
    lru.delete(old);
    used -= old.bytes;
  }
  entries.set(key, entry);
  lru.add(entry);
  used += entry.bytes;
  return splits;
}
