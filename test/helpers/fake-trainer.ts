/**
 * FOR TESTS ONLY — a stand-in for the Train binding of the local runner (`runLocal({ testTrainer })`)
 * that trains nothing: it writes a small, schema-valid candidate document whose metric is a fixed
 * function of depth and width (best near the middle of the grid, a deterministic wobble from the
 * candidate id) so that a sweep of 10,000 candidates runs through the real workflow — Plan, the Map,
 * RecordFailure, Aggregate, Report — in seconds. Nothing it writes is a measurement.
 */
import { createHash } from 'node:crypto';
import { CANDIDATE_DOC_SCHEMA, candidateDocSchema, type CandidateDoc } from '../../src/results/document.js';
import { findCandidate, readManifest, type RunManifest } from '../../src/results/manifest.js';
import type { Candidate } from '../../src/sweep/candidate.js';
import { keys } from '../../src/store/keys.js';
import { putJson, putJsonIfAbsent, type Store } from '../../src/store/store.js';
import type { TrainBinding } from '../../src/workflow/local.js';

/**
 * The shape of a real document (for benchmarks of what reads them): `repeats` trials of `epochs`
 * epochs each, with full-precision curves, the layers, test scores with their row blocks, the saved
 * model and the compute record — about 27 KB, as a seattle-weather candidate trained with the defaults.
 */
export interface RealisticShape {
  repeats: number;
  epochs: number;
  testRows: number;
}

/**
 * A TrainBinding that writes fabricated documents; `failEvery`: every n-th candidate (by id hash)
 * throws instead, as a crashed task; `realistic`: documents of a real one's size (default: small ones).
 */
export function fakeTrainerForTests(store: Store, opts: { failEvery?: number; realistic?: RealisticShape } = {}): TrainBinding {
  const manifests = new Map<string, Promise<RunManifest>>();
  return async (item) => {
    let manifest = manifests.get(item.runId);
    if (!manifest) manifests.set(item.runId, (manifest = readManifest(store, item.runId)));
    const candidate = findCandidate(await manifest, item.candidateId);
    const h = createHash('sha256').update(candidate.id).digest().readUInt32BE(0) / 2 ** 32;
    if (opts.failEvery && Math.floor(h * 1e6) % opts.failEvery === 0) {
      throw Object.assign(new Error(`fake trainer: ${candidate.id} crashed (test)`), { name: 'FakeCrash' });
    }
    const depthsFromBest = Math.abs(candidate.depth - 8) / 8;
    const widthsFromBest = Math.abs(Math.log2(candidate.width) - 6) / 6;
    const value = Number((0.9 - 0.1 * depthsFromBest - 0.1 * widthsFromBest + 0.01 * h).toFixed(6));
    const params = candidate.units.reduce((n, u, i) => n + (i === 0 ? 4 : candidate.units[i - 1]!) * u + u, 0);
    const doc: CandidateDoc = candidateDocSchema.parse(
      opts.realistic
        ? realisticDoc(item.runId, candidate, value, h, params, opts.realistic)
        : {
            schema: CANDIDATE_DOC_SCHEMA,
            runId: item.runId,
            candidate,
            status: 'succeeded',
            backend: 'fake (test)',
            startedAt: '2026-01-01T00:00:00.000Z',
            finishedAt: '2026-01-01T00:00:01.000Z',
            metric: { name: candidate.metric, higherIsBetter: true, mean: value, std: null, values: [value] },
            parameterCount: params,
            layers: [],
            trials: [
              {
                fold: 0,
                repeat: 0,
                seed: 1,
                trainRows: 80,
                valRows: 20,
                epochs: [
                  { epoch: 1, loss: 1, metric: value - 0.1, valLoss: 1, valMetric: value - 0.1 },
                  { epoch: 2, loss: 0.8, metric: value, valLoss: 0.8, valMetric: value },
                ],
                bestEpoch: 2,
                stoppedEarly: false,
                valMetric: value,
                valLoss: 0.8,
                trainMetric: value,
                fitSeconds: 0.01 + h,
                samplesPerSecond: 1000,
              },
            ],
            data: null,
            timing: { wallSeconds: 0.02 + h, fitSeconds: 0.01 + h, samplesPerSecond: 1000, inferenceMsPerSample: null },
            memory: { peakTensorBytes: 0, peakRssBytes: 0 },
          },
    );
    // As the real Train step: a retrained candidate's document replaces the old one; otherwise the first write wins.
    const key = keys.candidate(item.runId, candidate.id);
    const written = item.retrain ? (await putJson(store, key, doc), true) : await putJsonIfAbsent(store, key, doc);
    return { ...item, status: written ? 'succeeded' : 'skipped' };
  };
}

/** A document of a real one's size and shape (RealisticShape), its numbers fabricated around `value`. */
function realisticDoc(runId: string, candidate: Candidate, value: number, h: number, params: number, shape: RealisticShape): unknown {
  let seed = Math.floor(h * 2 ** 31) || 1;
  const noise = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const values = Array.from({ length: shape.repeats }, () => value + 0.02 * noise());
  const trials = values.map((v, repeat) => ({
    fold: 0,
    repeat,
    seed: 1 + repeat,
    trainRows: 934,
    valRows: 233,
    epochs: Array.from({ length: shape.epochs }, (_, e) => {
      const progress = (e + 1) / shape.epochs;
      return {
        epoch: e + 1,
        loss: 0.7 - 0.2 * progress + 0.01 * noise(),
        metric: v * (0.8 + 0.2 * progress) + 0.01 * noise(),
        valLoss: 0.68 - 0.15 * progress + 0.01 * noise(),
        valMetric: v * (0.85 + 0.15 * progress) + 0.01 * noise(),
      };
    }),
    bestEpoch: shape.epochs - 1,
    stoppedEarly: false,
    valMetric: v,
    valLoss: 0.55 + 0.01 * noise(),
    trainMetric: v + 0.03 + 0.01 * noise(),
    fitSeconds: 0.25 + 0.1 * noise(),
    samplesPerSecond: 110_000 + 10_000 * noise(),
    test: {
      metric: v + 0.02 * noise(),
      loss: 0.51 + 0.01 * noise(),
      rows: shape.testRows,
      blocks: { order: 'time', size: 3, sums: Array.from({ length: Math.ceil(shape.testRows / 3) }, () => Math.round(1.5 + 3 * noise())) },
    },
    split: `split-${repeat}`,
  }));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  const modelKey = `${keys.model(runId, candidate.id)}model.json`;
  return {
    schema: CANDIDATE_DOC_SCHEMA,
    runId,
    candidate,
    status: 'succeeded',
    backend: 'fake (test)',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    metric: { name: candidate.metric, higherIsBetter: true, mean, std, values },
    parameterCount: params,
    layers: candidate.units.flatMap((units, i) => [
      {
        type: 'Dense',
        outputShape: [null, units],
        params: units * (i === 0 ? 14 : candidate.units[i - 1]!) + units,
        config: { units, activation: 'relu', useBias: true, ...(i === 0 ? { inputShape: [14] } : {}) },
      },
      { type: 'Dropout', outputShape: [null, units], params: 0, config: { rate: 0.1 } },
    ]),
    trials,
    data: { rows: 1461, droppedRows: 0, inputShape: [14], targetDim: 1 },
    timing: { wallSeconds: 1.5 + h, fitSeconds: 0.8 + h, samplesPerSecond: 110_000, inferenceMsPerSample: 0.002 },
    memory: { peakTensorBytes: 1_200_000, peakRssBytes: 210_000_000, peakRssScope: 'candidate' },
    modelKey,
    savedModel: { modelKey, preprocessingKey: `${keys.model(runId, candidate.id)}preprocessing.json`, repeat: shape.repeats - 1, fold: 0, trainRows: 934, epoch: shape.epochs - 1 },
    compute: { tasks: 1, taskSeconds: 1.6 + h, cpuSeconds: 1.4 + h, platform: 'local', memoryMb: null, architecture: 'x86_64' },
  };
}
