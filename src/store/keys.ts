/** The key layout shared by every store. */
export const keys = {
  dataset: (name: string) => `datasets/${name}`,
  sweep: (name: string) => `sweeps/${name}.json`,
  run: (runId: string) => `runs/${runId}/`,
  runManifest: (runId: string) => `runs/${runId}/run.json`,
  candidate: (runId: string, candidateId: string) => `runs/${runId}/candidates/${candidateId}.json`,
  candidatesPrefix: (runId: string) => `runs/${runId}/candidates/`,
  model: (runId: string, candidateId: string) => `runs/${runId}/models/${candidateId}/`,
  leaderboard: (runId: string, ext: 'json' | 'csv' | 'md') => `runs/${runId}/leaderboard.${ext}`,
  report: (runId: string, ext: 'html' | 'md') => `runs/${runId}/report.${ext}`,
  history: (sweep: string) => `history/${sweep}.json`,
} as const;

/** A key must be relative, '/'-separated, and never climb out of the store. */
export function assertKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new Error(`invalid store key ${JSON.stringify(key)}`);
  }
  return key;
}
