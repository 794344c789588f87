/**
 * A sweep's history in the store: one object per run, `history/<sweep>/<runId>.json`, composed when
 * read. A run writes only its own object, so runs of one sweep finishing together cannot lose each
 * other's entries (there is no read-modify-write). The single document of earlier versions,
 * `history/<sweep>.json`, is still read; a run's own object wins over its entry there.
 *
 * A record that cannot be read (truncated, not JSON, another shape) is left out with a warning naming
 * its key: one broken file from an earlier run must never stop a new run's report.
 */
import { z } from 'zod';
import { mapConcurrent } from '../store/concurrent.js';
import { keys } from '../store/keys.js';
import { putJson, readDocument, type Store } from '../store/store.js';
import { appendHistory, HISTORY_SCHEMA, historyEntrySchema, historySchema, type History, type HistoryEntry } from './history.js';

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

/**
 * The sweep's history: the legacy document's entries and every per-run object, oldest first; null
 * when there is none. Each document that cannot be read adds a line to `warnings` and is left out.
 */
export async function readHistory(store: Store, sweep: string, warnings: string[] = []): Promise<History | null> {
  const skip = (reason: string) => warnings.push(`${reason}; left out of the sweep's history`);
  let history: History | null = null;
  const legacyKey = keys.history(sweep);
  if (await store.exists(legacyKey)) {
    const legacy = await readDocument(store, legacyKey, historySchema, HISTORY_SCHEMA);
    if (legacy.ok) history = legacy.value;
    else skip(legacy.reason);
  }
  const recordKeys = (await store.list(keys.historyRuns(sweep))).filter((k) => k.endsWith('.json'));
  const records = await mapConcurrent(recordKeys, 16, (key) => readDocument(store, key, historyRecordSchema, HISTORY_RECORD_SCHEMA));
  for (const r of records) {
    if (r.ok) history = appendHistory(history, r.value.entry, sweep);
    else if (!r.missing) skip(r.reason); // one deleted since it was listed: nothing to say
  }
  return history;
}
