import { excerpt, SpecError } from '../errors.js';

/** The key layout shared by every store. */
export const keys = {
  dataset: (name: string) => `datasets/${name}`,
  sweep: (name: string) => `sweeps/${name}.json`,
  run: (runId: string) => `runs/${runId}/`,
  /** One Plan invocation's work items, the JSON array the Map's ItemReader reads (not versioned: ItemReader wants a bare array). */
  plan: (planId: string) => `plans/${planId}.json`,
  runManifest: (runId: string) => `runs/${runId}/run.json`,
  /** What a Train task needs of its run besides its item: the sweep, the dataset version, the prepared dataset (src/steps/train-context.ts). */
  trainContext: (runId: string) => `runs/${runId}/train-context.json`,
  /** A parsed dataset in binary form, keyed by a hash of its spec and content version (src/data/prepared.ts); shared by runs. */
  prepared: (hash: string) => `prepared/${hash}.bin`,
  candidate: (runId: string, candidateId: string) => `runs/${runId}/candidates/${candidateId}.json`,
  candidatesPrefix: (runId: string) => `runs/${runId}/candidates/`,
  model: (runId: string, candidateId: string) => `runs/${runId}/models/${candidateId}/`,
  /** Where a candidate's training stands (src/train/checkpoint.ts): the next rung or Train task continues from it. */
  checkpoint: (runId: string, candidateId: string) => `runs/${runId}/checkpoints/${candidateId}.ckpt`,
  checkpointsPrefix: (runId: string) => `runs/${runId}/checkpoints/`,
  /**
   * The work item of a Train task that handed over (status "continue"): the parent workflow trains it
   * again in the Map's next pass (src/steps/promote.ts). Beside the checkpoints, and scratch like them.
   * `curve`: a learning curve's point (its fraction key), beside its checkpoint (curveCheckpoint).
   */
  continuation: (runId: string, candidateId: string, curve: string | null = null) => `runs/${runId}/checkpoints/${candidateId}${curve === null ? '' : `@${curve}`}.continue.json`,
  /** A halving run's rounds: budgets, brackets, who was promoted and why (layerbench.halving.v1). */
  halving: (runId: string) => `runs/${runId}/halving.json`,
  /** A learning curve's plan: its candidates and fractions (layerbench.curve-plan.v1, src/results/learning-curve.ts). */
  curvePlan: (runId: string) => `runs/${runId}/curve-plan.json`,
  /** A learning curve's point: the candidate trained on a fraction of the training rows (a candidate document). */
  curvePoint: (runId: string, candidateId: string, fraction: string) => `runs/${runId}/curve/${candidateId}/${fraction}.json`,
  curvePrefix: (runId: string) => `runs/${runId}/curve/`,
  /** Where a curve point's training stands, when it goes in steps (scratch, like every checkpoint). */
  curveCheckpoint: (runId: string, candidateId: string, fraction: string) => `runs/${runId}/checkpoints/${candidateId}@${fraction}.ckpt`,
  /** The learning curve's analysis (layerbench.learning-curve.v1): what the report and --json show. */
  learningCurve: (runId: string) => `runs/${runId}/learning-curve.json`,
  /** The run's baseline on the candidates' splits (layerbench.baseline.v1). */
  baseline: (runId: string) => `runs/${runId}/baseline.json`,
  /** The final model: the recommended candidate refit (model.json, weights.bin, preprocessing.json, README.md, final.json). */
  finalModel: (runId: string) => `runs/${runId}/model/`,
  finalModelDoc: (runId: string) => `runs/${runId}/model/final.json`,
  leaderboard: (runId: string, ext: 'json' | 'csv' | 'md') => `runs/${runId}/leaderboard.${ext}`,
  report: (runId: string, ext: 'html' | 'md') => `runs/${runId}/report.${ext}`,
  /** The sweep's history as one document (written by earlier versions; still read). */
  history: (sweep: string) => `history/${sweep}.json`,
  /** One run's entry in its sweep's history (layerbench.history-record.v1). */
  historyRun: (sweep: string, runId: string) => `history/${sweep}/${runId}.json`,
  historyRuns: (sweep: string) => `history/${sweep}/`,
} as const;

/**
 * What a run writes for itself only, deleted when it is done with it (and expired by the bucket's
 * lifecycle rules when a run never finishes): the Map's item lists and the candidates' checkpoints
 * (with the items of the tasks that handed over).
 * Results — candidate documents, models, leaderboards, reports, history — are never scratch.
 */
export function isScratchKey(key: string): boolean {
  return /^plans\/[^/]+\.json$/.test(key) || /^runs\/[^/]+\/checkpoints\/[^/]+\.(ckpt|continue\.json)$/.test(key);
}

/**
 * A key must be relative, '/'-separated, and never climb out of the store. A key built from user input
 * that is not (a run id "../x") is bad input: a SpecError, exit 2 — though the commands check their
 * inputs before a key is built, so that the message can name the option.
 */
export function assertKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new SpecError(`${excerpt(key, 80)}: not a store key (keys are relative, '/'-separated, without "." or ".." segments)`);
  }
  return key;
}

/** Where a store keeps datasets: a sweep's dataset.key may name an object under it, and nothing else in the store. */
export const DATASETS_PREFIX = 'datasets/';

/** A relative key without tricks: no scheme or drive letter, no leading "/", no backslash or control character, no "", "." or ".." segment. */
function isPlainKey(key: string): boolean {
  return (
    key !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(key) && !key.startsWith('/') && !key.includes('\\') && !/[\u0000-\u001f]/.test(key) && !key.split('/').some((s) => s === '' || s === '.' || s === '..')
  );
}

/**
 * A dataset key a store may read: under datasets/, resolved (no "." or ".." or empty segment), no
 * absolute path, no URI, no backslash or control character. Anything else is a SpecError naming
 * `field` and quoting a short escaped excerpt of the key — never anything read from the store.
 */
export function confinedDatasetKey(key: string, field = 'dataset.key'): string {
  if (!isPlainKey(key) || !key.startsWith(DATASETS_PREFIX) || key === DATASETS_PREFIX) {
    throw new SpecError(
      `${field}: must be a key inside the bucket under ${DATASETS_PREFIX}, such as ${DATASETS_PREFIX}data.csv (no absolute path, no "." or ".." segment, no URI, no other prefix), got ${excerpt(key)}`,
    );
  }
  return key;
}

/** A file's name relative to a directory (NPY labels beside inputs outside the store): a plain key, never a path out of it. */
export function relativeKey(key: string, field: string): string {
  if (!isPlainKey(key)) throw new SpecError(`${field}: must be a relative name (no absolute path, no "." or ".." segment, no URI), got ${excerpt(key)}`);
  return key;
}
