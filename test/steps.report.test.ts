import { describe, expect, it } from 'vitest';
import { aggregate } from '../src/steps/aggregate.js';
import { regressionEvents, report } from '../src/steps/report.js';
import { keys } from '../src/store/keys.js';
import { getText, putJson } from '../src/store/store.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';
import { tempStores } from './helpers/temp-store.js';

const tempStore = tempStores('report-step');

describe('report', () => {
  it("writes report.html/md and the history for what Aggregate ranked, keeping Aggregate's fields", async () => {
    const store = await tempStore();
    const manifest = craftedManifest('r1');
    const [a, b, c] = manifest.candidates;
    await putJson(store, keys.runManifest('r1'), manifest);
    await putJson(store, keys.candidate('r1', a!.id), craftedDoc('r1', a!, [0.6], 21));
    await putJson(store, keys.candidate('r1', b!.id), craftedDoc('r1', b!, [0.9], 41));
    await putJson(store, keys.candidate('r1', c!.id), craftedDoc('r1', c!, [0.7], 41));
    const aggregated = await aggregate(store, { runs: [{ runId: 'r1', sweep: 'crafted', candidates: 4 }] });

    const out = await report(store, { runs: aggregated.runs.map((r) => ({ ...r, finalModelKey: 'added-by-a-state-between' })) });

    expect(out.runs).toEqual([
      {
        ...aggregated.runs[0],
        finalModelKey: 'added-by-a-state-between',
        reportKey: 'runs/r1/report.html',
        historyKey: keys.historyRun('crafted', 'r1'),
      },
    ]);
    expect(await getText(store, 'runs/r1/report.md')).toContain('# Which depth and width? — crafted');
    expect(await getText(store, 'runs/r1/report.html')).toContain('<svg');
  });

  it('writes nothing for a duplicated run and names the report the first execution wrote', async () => {
    const store = await tempStore();
    const run = { runId: 'r2', sweep: 'crafted', leaderboardKey: keys.leaderboard('r2', 'json'), succeeded: 0, failed: 0, duplicate: true };

    const before = await report(store, { runs: [run] });
    await store.put(keys.report('r2', 'html'), '<html></html>');
    const after = await report(store, { runs: [run] });

    expect(before.runs).toEqual([run]);
    expect(after.runs).toEqual([{ ...run, reportKey: keys.report('r2', 'html') }]);
    expect(await store.list('')).toEqual([keys.report('r2', 'html')]);
  });
});

describe('report: regressions', () => {
  it('marks a run whose best metric dropped beyond noise against the previous run, and announces it as an event', async () => {
    const store = await tempStore();
    const runOf = async (runId: string, values: number[], finishedAt: string) => {
      const manifest = craftedManifest(runId);
      await putJson(store, keys.runManifest(runId), manifest);
      for (const c of manifest.candidates) {
        await putJson(store, keys.candidate(runId, c.id), {
          ...craftedDoc(
            runId,
            c,
            values.map((v) => v - c.width / 1000),
            21,
          ),
          finishedAt,
        });
      }
      return report(store, await aggregate(store, { runs: [{ runId, sweep: 'crafted', candidates: 4 }] }));
    };

    const first = await runOf('n1', [0.9, 0.91, 0.89], '2026-03-01T02:00:00.000Z');
    const steady = await runOf('n2', [0.9, 0.905, 0.895], '2026-03-02T02:00:00.000Z');
    const worse = await runOf('n3', [0.7, 0.71, 0.69], '2026-03-03T02:00:00.000Z');

    expect(first.runs[0]).not.toHaveProperty('regression');
    expect(steady.runs[0]).not.toHaveProperty('regression');
    expect(worse.runs[0]!.regression).toMatchObject({ previousRunId: 'n2', metric: 'accuracy', current: worse.runs[0]!.best!.value });
    expect(worse.runs[0]!.regression!.message).toContain('The metric dropped beyond noise');
    expect(regressionEvents(first)).toEqual([]);
    expect(regressionEvents(worse)).toEqual([
      { source: 'layerbench', detailType: 'Sweep Regressed', detail: { sweep: 'crafted', runId: 'n3', reportKey: keys.report('n3', 'html'), ...worse.runs[0]!.regression } },
    ]);
  });
});
