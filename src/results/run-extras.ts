/**
 * What a run records beside its candidate documents and the report shows: the baseline
 * (runs/<id>/baseline.json), the final model (runs/<id>/model/final.json) and the data summary (the
 * `data` field of runs/<id>/run.json). Each is optional — runs made before they existed have none,
 * and the final model appears only after Finalize — so an absent one is null; one that is present
 * but not the documented shape is an error naming its key.
 */
import type { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { baselineDocSchema, type BaselineDoc } from './baseline.js';
import { dataSummarySchema, type DataSummary } from './data-summary.js';
import { finalModelDocSchema, type FinalModelDoc } from './final-model.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';

export interface RunExtras {
  baseline: BaselineDoc | null;
  final: FinalModelDoc | null;
  data: DataSummary | null;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new LayerbenchError(`${where}: not the documented shape (${issue.path.join('.') || '(root)'}: ${issue.message})`, {
    code: 'E_DOCUMENT',
    kind: 'fatal',
  });
}

async function readOptional<T>(store: Store, key: string, schema: z.ZodType<T>): Promise<T | null> {
  if (!(await store.exists(key))) return null;
  return parseOrThrow(schema, await getJson(store, key), key);
}

/** The data summary in a run manifest (any object with an optional `data` field); null when absent. */
export function manifestData(manifest: unknown, where = 'run.json'): DataSummary | null {
  const data = (manifest as { data?: unknown } | null)?.data;
  return data === undefined || data === null ? null : parseOrThrow(dataSummarySchema, data, `${where}: data`);
}

export async function readRunExtras(store: Store, runId: string): Promise<RunExtras> {
  const manifestKey = keys.runManifest(runId);
  const [baseline, final, manifest] = await Promise.all([
    readOptional(store, keys.baseline(runId), baselineDocSchema),
    readOptional(store, keys.finalModelDoc(runId), finalModelDocSchema),
    store.exists(manifestKey).then((yes) => (yes ? getJson(store, manifestKey) : null)),
  ]);
  return { baseline, final, data: manifestData(manifest, manifestKey) };
}
