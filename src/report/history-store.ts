/**
 * A sweep's history in the store: one object per run, `history/<sweep>/<runId>.json`, composed when
 * read. A run writes only its own object, so runs of one sweep finishing together cannot lose each
 * other's entries (there is no read-modify-write). The single document of earlier versions,
 * `history/<sweep>.json`, is still read; a run's own object wins over its entry there.
 */
import { z } from 'zod';
import { NotFoundError } from '../errors.js';
import { mapConcurrent } from '../store/concurrent.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, type Store } from '../store/store.js';
import { appendHistory, historyEntrySchema, historySchema, type History, type HistoryEntry } from './history.js';

export const HISTORY_RECORD_SCHEMA = 'layerbench.history-record.v1' as const;

/** One run's entry in its sweep's history. */
export const historyRecordSchema = z.object({
  schema: z.literal(HISTORY_RECORD_SCHEMA),
  sweep: z.string(),
  entry: historyEntrySchema,
});
export type HistoryRecord = z.infer<typeof historyRecordSchema>;

/** Writes the run's own history object; returns its key. Writing it again (the same run re-reported) replaces it. */
export async function recordHistoryEntry(store: Store, sweep: string, entry: HistoryEntry): Promise<string> {
  const key = keys.historyRun(sweep, entry.runId);
  const record: HistoryRecord = { schema: HISTORY_RECORD_SCHEMA, sweep, entry };
  await putJson(store, key, record);
  return key;
}

/** The sweep's history: the legacy document's entries and every per-run object, oldest first; null when there is none. */
export async function readHistory(store: Store, sweep: string): Promise<History | null> {
  let history = await readLegacyHistory(store, sweep);
  const recordKeys = (await store.list(keys.historyRuns(sweep))).filter((k) => k.endsWith('.json'));
  const records = await mapConcurrent(recordKeys, 16, async (key) => historyRecordSchema.safeParse(await getJson(store, key)));
  for (const r of records) if (r.success) history = appendHistory(history, r.data.entry, sweep);
  return history;
}

async function readLegacyHistory(store: Store, sweep: string): Promise<History | null> {
  try {
    const parsed = historySchema.safeParse(await getJson(store, keys.history(sweep)));
    return parsed.success ? parsed.data : null;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}
