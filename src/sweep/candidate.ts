/**
 * A candidate's identity: one (depth, width) point of a sweep, resolved into layer widths, with an id
 * derived from its content — the resolved architecture, training and evaluation settings, the seed and
 * the dataset version — so the same candidate always gets the same id, and resuming a run is "skip the
 * ids whose documents exist". A foundation: result documents, data, model and training code name
 * candidates through it; which points a sweep visits is the search strategy's (src/search/).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { rankingMetric, type SweepSpec } from './schema.js';

export const candidateSchema = z.object({
  id: z.string(),
  sweep: z.string(),
  family: z.enum(['dense', 'cnn', 'lstm']),
  depth: z.number().int(),
  width: z.number().int(),
  /** Units (dense, lstm) or filters (cnn) of each hidden layer, from the width pattern. */
  units: z.array(z.number().int()),
  metric: z.string(),
  datasetVersion: z.string(),
  seed: z.number().int(),
});
export type Candidate = z.infer<typeof candidateSchema>;

/** One point of the depth × width grid. */
export interface GridPoint {
  depth: number;
  width: number;
}

/** Layer widths for a depth × width point under the sweep's width pattern (never below 1). */
export function layerUnits(depth: number, width: number, pattern: SweepSpec['model']['widthPattern']): number[] {
  const units: number[] = [];
  for (let i = 0; i < depth; i++) {
    const f = pattern === 'halving' ? 0.5 ** i : pattern === 'doubling' ? 2 ** i : 1;
    units.push(Math.max(1, Math.round(width * f)));
  }
  return units;
}

/** JSON with object keys sorted, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function contentHash(value: unknown, length = 12): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** The candidate of a validated sweep at one grid point, for a dataset version. */
export function candidateAt(spec: SweepSpec, { depth, width }: GridPoint, datasetVersion: string): Candidate {
  const { model, training, evaluation, dataset } = spec;
  const metric = rankingMetric(spec);
  const units = layerUnits(depth, width, model.widthPattern);
  // Everything that changes what training produces goes into the id; the sweep name does not, nor the
  // search strategy, nor how training is split into tasks (a checkpointed candidate ends where an
  // uninterrupted one does).
  const content = {
    v: 1,
    dataset: { ...dataset, key: undefined, version: datasetVersion },
    model: { ...model, depth, width, units },
    training: { ...training, maxTaskSeconds: undefined },
    evaluation: { ...evaluation, metric },
  };
  const id = `${model.family}-d${depth}-w${width}-${contentHash(content, 10)}`;
  return { id, sweep: spec.name, family: model.family, depth, width, units, metric, datasetVersion, seed: training.seed };
}
