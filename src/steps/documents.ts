/**
 * A run's candidate documents as the store holds them: `runs/<runId>/candidates/<id>.json` for each
 * candidate of the manifest. Aggregate ranks them, Report analyses them; both read them here.
 */
import { digestCandidateDoc, type CandidateDigest } from '../results/analysis.js';
import { readCandidateDoc, type CandidateDoc } from '../results/document.js';
import { rankingMetric } from '../sweep/schema.js';
import { mapConcurrent } from '../store/concurrent.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { MissingResult } from '../results/leaderboard.js';
import type { RunManifest } from '../results/manifest.js';

/** Documents read at once: enough to hide S3's latency, few enough for one Lambda's sockets. */
export const READ_CONCURRENCY = 32;

export interface RunDocuments<D extends CandidateDigest = CandidateDoc> {
  /** In the manifest's candidate order. */
  docs: D[];
  /** Candidates without a readable document, with why. */
  missing: MissingResult[];
}

/** Lists the run's candidates/ prefix once, then reads every document a manifest candidate has. */
export function readRunDocuments(store: Store, manifest: RunManifest): Promise<RunDocuments> {
  return readRun(store, manifest, (doc) => doc);
}

/**
 * As readRunDocuments, but each document is kept as its digest (CandidateDigest) as soon as it is
 * parsed: at most READ_CONCURRENCY whole documents are held at once, whatever the run's size.
 */
export function readRunDigests(store: Store, manifest: RunManifest): Promise<RunDocuments<CandidateDigest>> {
  const metric = rankingMetric(manifest.sweep);
  return readRun(store, manifest, (doc) => digestCandidateDoc(doc, metric));
}

async function readRun<D extends CandidateDigest>(store: Store, manifest: RunManifest, keep: (doc: CandidateDoc) => D): Promise<RunDocuments<D>> {
  const runId = manifest.runId;
  const present = new Set(await store.list(keys.candidatesPrefix(runId)));
  const read = await mapConcurrent(manifest.candidates, READ_CONCURRENCY, async (candidate): Promise<D | MissingResult> => {
    const key = keys.candidate(runId, candidate.id);
    if (!present.has(key)) return { candidateId: candidate.id, reason: 'no result document: the task did not report' };
    // A truncated or foreign document counts as missing, named, rather than failing the whole run.
    const doc = await readCandidateDoc(store, key);
    return doc.ok ? keep(doc.doc) : { candidateId: candidate.id, reason: doc.reason };
  });
  const docs: D[] = [];
  const missing: MissingResult[] = [];
  for (const r of read) {
    if ('schema' in r) docs.push(r);
    else missing.push(r);
  }
  return { docs, missing };
}
