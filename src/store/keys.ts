import { excerpt, SpecError } from '../errors.js';

/** The key layout shared by every store. */
export const keys = {
  dataset: (name: string) => `datasets/${name}`,
  sweep: (name: string) => `sweeps/${name}.json`,
  run: (runId: string) => `runs/${runId}/`,
  /** One Plan invocation's work items, the JSON array the Map's ItemReader reads (not versioned: ItemReader wants a bare array). */
  plan: (planId: string) => `plans/${planId}.json`,
  runManifest: (runId: string) => `runs/${runId}/run.json`,
  candidate: (runId: string, candidateId: string) => `runs/${runId}/candidates/${candidateId}.json`,
  candidatesPrefix: (runId: string) => `runs/${runId}/candidates/`,
  model: (runId: string, candidateId: string) => `runs/${runId}/models/${candidateId}/`,
  /** Where a candidate's training stands (src/train/checkpoint.ts): the next rung or Train task continues from it. */
  checkpoint: (runId: string, candidateId: string) => `runs/${runId}/checkpoints/${candidateId}.ckpt`,
  /** A halving run's rounds: budgets, brackets, who was promoted and why (layerbench.halving.v1). */
  halving: (runId: string) => `runs/${runId}/halving.json`,
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
