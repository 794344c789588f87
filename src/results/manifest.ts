/**
 * The run manifest, `runs/<runId>/run.json`: what Plan decided — the sweep as validated, the dataset
 * version it was planned against, the candidates, and what triggered the run. Train and Aggregate read
 * it, so the state payloads carry only ids.
 */
import { z } from 'zod';
import { LayerbenchError, SpecError } from '../errors.js';
import { dataSummarySchema } from './data-summary.js';
import { candidateSchema, type Candidate } from '../sweep/candidate.js';
import { sweepSpecSchema } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';

export const RUN_SCHEMA = 'layerbench.run.v1' as const;

export const TRIGGERS = ['cli', 'upload', 'schedule'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const runManifestSchema = z.object({
  schema: z.literal(RUN_SCHEMA),
  runId: z.string(),
  sweep: sweepSpecSchema,
  trigger: z.enum(TRIGGERS),
  /** The object that started the run (a sweep or a dataset key), when there was one. */
  triggerKey: z.string().optional(),
  etag: z.string().optional(),
  dataset: z.object({ key: z.string(), version: z.string() }),
  candidates: z.array(candidateSchema),
  createdAt: z.string(),
  /** What was done to the data (layerbench.data.v1); absent in runs planned before it existed. */
  data: dataSummarySchema.optional(),
});
export type RunManifest = z.infer<typeof runManifestSchema>;

/** Run ids become key segments: letters, digits, '.', '_' and '-'. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A run id given as an option (`--run-id`), or a SpecError naming the option. */
export function checkRunIdOption(runId: string, option = '--run-id'): string {
  if (!RUN_ID.test(runId)) {
    throw new SpecError(`${option}: must be letters, digits, ".", "_" or "-" (at most 128), got ${JSON.stringify(runId)}`);
  }
  return runId;
}

export async function readManifest(store: Store, runId: string): Promise<RunManifest> {
  const key = keys.runManifest(runId);
  const parsed = runManifestSchema.safeParse(await getJson(store, key));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LayerbenchError(`${key}: not a ${RUN_SCHEMA} document (${issue.path.join('.') || '(root)'}: ${issue.message})`, {
      code: 'E_MANIFEST',
      kind: 'fatal',
    });
  }
  return parsed.data;
}

export function findCandidate(manifest: RunManifest, candidateId: string): Candidate {
  const candidate = manifest.candidates.find((c) => c.id === candidateId);
  if (!candidate) {
    throw new LayerbenchError(`run ${manifest.runId}: no candidate ${candidateId} in its run.json`, { code: 'E_MANIFEST', kind: 'fatal' });
  }
  return candidate;
}
