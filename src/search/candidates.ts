/**
 * A sweep expands into candidates: one per depth × width point its search strategy visits, each
 * resolved and named by its content (src/sweep/candidate.ts).
 */
import { candidateAt, type Candidate, type GridPoint } from '../sweep/candidate.js';
import type { SweepSpec } from '../sweep/schema.js';
import { strategyFor } from './strategies.js';

/** The depth × width points the search visits, in a stable order. */
export function searchPoints(spec: SweepSpec): GridPoint[] {
  return strategyFor(spec.search).points(spec);
}

/** Expand a validated sweep into candidates for a dataset version. */
export function expandCandidates(spec: SweepSpec, datasetVersion: string): Candidate[] {
  return searchPoints(spec).map((point) => candidateAt(spec, point, datasetVersion));
}
