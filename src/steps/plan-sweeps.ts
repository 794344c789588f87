/**
 * Which sweeps one execution of Plan runs: the sweep a CLI run or an upload names, every registered
 * sweep that reads an uploaded dataset, or (the nightly schedule) every registered sweep. A registered
 * sweep that does not parse is skipped with its first problem, never a reason to stop the others.
 */
import { SpecError } from '../errors.js';
import type { Trigger } from '../results/manifest.js';
import { keys } from '../store/keys.js';
import { getText, type Store } from '../store/store.js';
import { parseSweepText } from '../sweep/load.js';
import type { SweepSpec } from '../sweep/schema.js';
import type { PlanInput } from './types.js';

const SWEEP_KEY = /^sweeps\/[^/]+\.json$/;

export interface Selected {
  key: string;
  spec: SweepSpec;
}

export async function selectSweeps(
  store: Store,
  input: PlanInput,
  trigger: Trigger,
  inline: SweepSpec | undefined,
): Promise<{ selected: Selected[]; fanOut: boolean; skipped: { key: string; reason: string }[] }> {
  const skipped: { key: string; reason: string }[] = [];
  if (inline) return { selected: [{ key: input.key ?? keys.sweep(inline.name), spec: inline }], fanOut: false, skipped };
  const key = input.key;
  if (key === undefined) {
    if (trigger !== 'schedule') throw new SpecError(`input.key: is required for a ${trigger} run (sweeps/<name>.json or datasets/…)`);
    const all = await registeredSweeps(store, skipped);
    return { selected: all, fanOut: true, skipped };
  }
  if (SWEEP_KEY.test(key)) {
    return { selected: [{ key, spec: parseSweepText(await getText(store, key), key) }], fanOut: false, skipped };
  }
  if (key.startsWith('datasets/')) {
    const all = await registeredSweeps(store, skipped);
    return { selected: all.filter((s) => s.spec.dataset.key === key), fanOut: true, skipped };
  }
  throw new SpecError(`input.key: ${JSON.stringify(key)} is neither a sweep (sweeps/<name>.json) nor a dataset (datasets/…)`);
}

/**
 * The key an upload event names, as stored. S3 URL-encodes keys in its event notifications
 * ("my data.csv" arrives as "my+data.csv"); take the decoded key when that is the object that exists.
 */
export async function uploadedKey(store: Store, key: string): Promise<string> {
  if (await store.exists(key)) return key;
  let decoded: string;
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
  return decoded !== key && (await store.exists(decoded)) ? decoded : key;
}

/** Every `sweeps/*.json` that parses; the others go to `skipped` with their first problem. */
async function registeredSweeps(store: Store, skipped: { key: string; reason: string }[]): Promise<Selected[]> {
  const out: Selected[] = [];
  for (const key of (await store.list('sweeps/')).filter((k) => SWEEP_KEY.test(k))) {
    try {
      out.push({ key, spec: parseSweepText(await getText(store, key), key) });
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      skipped.push({ key, reason: err.message });
    }
  }
  return out;
}
