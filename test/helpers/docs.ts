/** Crafted candidate documents and run manifests for tests of ranking and aggregation (no training). */
import { CANDIDATE_DOC_SCHEMA, type CandidateDoc } from '../../src/results/document.js';
import { expandCandidates } from '../../src/search/candidates.js';
import type { Candidate } from '../../src/sweep/candidate.js';
import { parseSweep } from '../../src/sweep/load.js';
import type { SweepSpecInput } from '../../src/sweep/schema.js';
import { RUN_SCHEMA, type RunManifest } from '../../src/results/manifest.js';

export function craftedManifest(runId: string, overrides: Partial<SweepSpecInput> = {}): RunManifest {
  const sweep = parseSweep({
    name: 'crafted',
    dataset: { key: 'datasets/crafted.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth: [1, 2], width: [4, 8] },
    ...overrides,
  });
  return {
    schema: RUN_SCHEMA,
    runId,
    sweep,
    trigger: 'cli',
    dataset: { key: sweep.dataset.key, version: 'v1' },
    candidates: expandCandidates(sweep, 'v1'),
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A succeeded document with the given per-trial metric values and parameter count. */
export function craftedDoc(runId: string, candidate: Candidate, values: number[], params: number, higherIsBetter = true): CandidateDoc {
  return {
    schema: CANDIDATE_DOC_SCHEMA,
    runId,
    candidate,
    status: 'succeeded',
    backend: 'cpu',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    metric: {
      name: candidate.metric,
      higherIsBetter,
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      std: null,
      values,
    },
    parameterCount: params,
    layers: [],
    trials: values.map((v, i) => ({
      fold: 0,
      repeat: i,
      seed: 42 + i,
      trainRows: 80,
      valRows: 20,
      epochs: [
        { epoch: 1, loss: 1, metric: v, valLoss: 1, valMetric: v },
        { epoch: 2, loss: 0.9, metric: v, valLoss: 0.9, valMetric: v },
      ],
      bestEpoch: 2,
      stoppedEarly: false,
      valMetric: v,
      valLoss: 0.9,
      trainMetric: v,
      fitSeconds: 0.5,
      samplesPerSecond: 160,
    })),
    data: { rows: 100, droppedRows: 0, inputShape: [3], targetDim: 1 },
    timing: { wallSeconds: 1, fitSeconds: 0.5 * values.length, samplesPerSecond: 160, inferenceMsPerSample: 0.01 },
    memory: { peakTensorBytes: 1000, peakRssBytes: 1e8 },
  };
}

export function craftedFailedDoc(runId: string, candidate: Candidate, message: string): CandidateDoc {
  return {
    ...craftedDoc(runId, candidate, [0], 0),
    status: 'failed',
    error: { kind: 'candidate', code: 'E_CANDIDATE', message },
    metric: { name: candidate.metric, higherIsBetter: true, mean: null, std: null, values: [] },
    parameterCount: null,
    trials: [],
  };
}
