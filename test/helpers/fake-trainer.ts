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
import { keys } from '../../src/store/keys.js';
import { putJson, putJsonIfAbsent, type Store } from '../../src/store/store.js';
import type { TrainBinding } from '../../src/workflow/local.js';

/** A TrainBinding that writes fabricated documents; `failEvery`: every n-th candidate (by id hash) throws instead, as a crashed task. */
export function fakeTrainerForTests(store: Store, opts: { failEvery?: number } = {}): TrainBinding {
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
    const doc: CandidateDoc = candidateDocSchema.parse({
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
    });
    // As the real Train step: a retrained candidate's document replaces the old one; otherwise the first write wins.
    const key = keys.candidate(item.runId, candidate.id);
    const written = item.retrain ? (await putJson(store, key, doc), true) : await putJsonIfAbsent(store, key, doc);
    return { ...item, status: written ? 'succeeded' : 'skipped' };
  };
}
