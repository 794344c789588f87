import { describe, expect, it } from 'vitest';
import { appendHistory, type HistoryEntry } from '../src/report/history.js';
import { readHistory, recordHistoryEntry } from '../src/report/history-store.js';
import { writeRunReport } from '../src/report/run-report.js';
import { keys } from '../src/store/keys.js';
import { putJson } from '../src/store/store.js';
import { craftedRun } from './fixtures/report/run.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('history-store');

const entry = (runId: string, date: string, mean = 0.84): HistoryEntry => ({
  runId,
  date,
  best: { candidateId: 'dense-d2-w32', family: 'dense', depth: 2, width: 32, params: 1441 },
  metric: { name: 'accuracy', higherIsBetter: true, mean, std: 0.01, n: 5 },
  recommended: null,
  candidates: 9,
  failed: 0,
});

describe('the history in the store', () => {
  it('keeps every entry of 8 runs of one sweep that finish together', async () => {
    const store = await tempStore();
    const { spec, docs } = craftedRun('night-0');
    const runIds = Array.from({ length: 8 }, (_, i) => `night-${i}`);

    await Promise.all(
      runIds.map((runId) =>
        writeRunReport(
          store,
          runId,
          spec,
          docs.map((d) => ({ ...d, runId })),
        ),
      ),
    );

    const history = await readHistory(store, spec.name);
    expect(history?.entries.map((e) => e.runId).sort()).toEqual(runIds);
    expect(await store.list(keys.historyRuns(spec.name))).toEqual(runIds.map((r) => keys.historyRun(spec.name, r)));
  });

  it("composes the earlier single document with the per-run objects, a run's own object winning", async () => {
    const store = await tempStore();
    const legacy = appendHistory(appendHistory(null, entry('r1', '2026-03-01T02:00:00Z'), 'nightly'), entry('r2', '2026-03-02T02:00:00Z', 0.5));
    await putJson(store, keys.history('nightly'), legacy);

    await recordHistoryEntry(store, 'nightly', entry('r2', '2026-03-02T02:00:00Z', 0.85));
    await recordHistoryEntry(store, 'nightly', entry('r3', '2026-03-03T02:00:00Z'));

    const history = await readHistory(store, 'nightly');
    expect(history?.entries.map((e) => [e.runId, e.metric.mean])).toEqual([
      ['r1', 0.84],
      ['r2', 0.85],
      ['r3', 0.84],
    ]);
  });

  it('is null for a sweep with no history, and ignores the objects of a sweep whose name extends it', async () => {
    const store = await tempStore();
    await recordHistoryEntry(store, 'nightly-b', entry('r1', '2026-03-01T02:00:00Z'));
    expect(await readHistory(store, 'nightly')).toBeNull();
  });

  it('leaves out, with a warning naming each key, records that are truncated, not JSON or another shape, and a broken legacy document', async () => {
    // Arrange: one good record, three broken ones, a legacy document cut short
    const store = await tempStore();
    await recordHistoryEntry(store, 'nightly', entry('good', '2026-03-01T02:00:00Z'));
    await store.put(keys.historyRun('nightly', 'cut'), '{"schema": "layerbench.history-record.v1", "sweep": "nigh');
    await store.put(keys.historyRun('nightly', 'binary'), new Uint8Array([0, 159, 146, 150, 255]));
    await putJson(store, keys.historyRun('nightly', 'shape'), { schema: 'layerbench.history-record.v1', sweep: 'nightly', entry: { runId: 3 } });
    await store.put(keys.history('nightly'), '{"schema": "layerbench.history.v1", "entries": [');
    const warnings: string[] = [];

    // Act
    const history = await readHistory(store, 'nightly', warnings);

    // Assert
    expect(history?.entries.map((e) => e.runId)).toEqual(['good']);
    expect(warnings).toHaveLength(4);
    expect(warnings).toEqual(
      expect.arrayContaining([
        "history/nightly.json: not valid JSON: it ends early (truncated?); left out of the sweep's history",
        "history/nightly/cut.json: not valid JSON: it ends early (truncated?); left out of the sweep's history",
        expect.stringMatching(/^history\/nightly\/binary\.json: not valid JSON: .*; left out of the sweep's history$/),
        expect.stringMatching(/^history\/nightly\/shape\.json: not a layerbench\.history-record\.v1 document \(entry\.runId: .*\); left out/),
      ]),
    );
  });

  it("writes a new run's report and history although an earlier record is corrupt, and says so", async () => {
    const store = await tempStore();
    const { spec, docs } = craftedRun('night-1');
    await store.put(keys.historyRun(spec.name, 'night-0'), '{"schema": "layerbench.history-record.v1", "sweep": "');

    const written = await writeRunReport(store, 'night-1', spec, docs);

    expect(written.historyKey).toBe(keys.historyRun(spec.name, 'night-1'));
    expect(written.warnings).toEqual([`${keys.historyRun(spec.name, 'night-0')}: not valid JSON: it ends early (truncated?); left out of the sweep's history`]);
    expect(await store.exists(keys.report('night-1', 'html'))).toBe(true);
    expect((await readHistory(store, spec.name))?.entries.map((e) => e.runId)).toEqual(['night-1']);
  });
});
