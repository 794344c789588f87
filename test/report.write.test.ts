import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPageKey, readHistory, writeRunReport } from '../src/report/index.js';
import { getText } from '../src/store/store.js';
import { LocalStore } from '../src/store/local.js';
import { makeDoc } from './fixtures/report/factory.js';
import { around, craftedRun } from './fixtures/report/run.js';

let dir: string;
let store: LocalStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerbench-report-'));
  store = new LocalStore(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeRunReport', () => {
  it('writes report.html and report.md under runs/<runId>/ with the answer up front', async () => {
    const { spec, docs } = craftedRun('run-1');
    const out = await writeRunReport(store, 'run-1', spec, docs);
    expect(out).toEqual({
      htmlKey: 'runs/run-1/report.html',
      mdKey: 'runs/run-1/report.md',
      recommended: 'dense-d2-w32-abcdef0123',
      historyKey: 'history/crafted/run-1.json',
      comparison: expect.objectContaining({ compared: false, metricDropped: false }),
    });
    const html = await getText(store, out.htmlKey);
    const md = await getText(store, out.mdKey);

    // The answer comes first, with the reason written out.
    const answer = html.indexOf('Use depth 2 and width 32');
    expect(answer).toBeGreaterThan(0);
    expect(answer).toBeLessThan(html.indexOf('id="leaderboard"'));
    expect(html).toContain('dense d2 w32 (1,441 params) is within one standard error (0.004) of the best, dense d2 w64 (4,929 params, accuracy 0.842 ± 0.004)');
    expect(md).toContain('**Use depth 2 and width 32**: 2 hidden layers, 32 units each (1,441 parameters).');
    expect(md).toContain('3.4× fewer parameters for a difference the data cannot resolve');

    // Every section, every chart, the failure and the Keras code.
    for (const id of ['answer', 'leaderboard', 'diagnoses', 'charts', 'failures', 'keras']) expect(html).toContain(`id="${id}"`);
    expect(html.match(/<figure class="chart" data-chart="(heatmap|pareto|curves|time)"><svg/g)).toHaveLength(4);
    expect(html).toContain('loss became NaN at epoch 4');
    expect(html).toContain('keras.layers.Dense(32, activation=&#39;relu&#39;, input_shape=(10,)),');
    expect(md).toContain("keras.layers.Dense(32, activation='relu', input_shape=(10,)),");
    expect(html).toContain('runs/run-1/models/dense-d2-w32-abcdef0123/model.json');

    // Leaderboard: 8 ranked rows in both; the diagnoses agree.
    expect(html.match(/<tr( class="[^"]*")?><td class="num">\d+<\/td>/g)).toHaveLength(8);
    expect(md.match(/^\| \d+ \| dense /gm)).toHaveLength(8);
    for (const kind of ['underfitting', 'overfitting', 'still-improving']) {
      expect(html).toContain(`<span class="tag warn">${kind}</span>`.replace('warn', kind === 'still-improving' ? 'info' : 'warn'));
      expect(md).toContain(`— ${kind}:`);
    }

    // Self-contained: no script, no external stylesheet, font or image; nothing fetched.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(https?:/i);
    expect(html.match(/https?:\/\/[^"\s)]+/g)?.every((u) => u.startsWith('http://www.w3.org/'))).toBe(true);
  });

  it('records the run in the sweep history and compares the next run with it', async () => {
    const { spec, docs } = craftedRun('run-2');
    // Next night: the best got worse well beyond noise, and a different architecture won.
    const next = docs.map((d) =>
      d.candidate.depth === 3 && d.candidate.width === 16
        ? makeDoc({ runId: 'run-2', depth: 3, width: 16, values: around(0.83), finishedAt: '2026-03-02T02:05:00.000Z' })
        : d.status === 'succeeded'
          ? makeDoc({ runId: 'run-2', depth: d.candidate.depth, width: d.candidate.width, values: around(0.8), finishedAt: '2026-03-02T02:05:00.000Z' })
          : d,
    );
    await writeRunReport(store, 'run-2', spec, next);
    const history = (await readHistory(store, 'crafted'))!;
    expect(history.entries.map((e) => e.runId)).toEqual(['run-1', 'run-2']);
    expect(history.entries[1]!.best).toMatchObject({ depth: 3, width: 16 });
    const md = await getText(store, 'runs/run-2/report.md');
    expect(md).toContain('**Since the previous run:** The best architecture changed: dense d2 w64 → dense d3 w16.');
    expect(md).toContain('The metric dropped beyond noise: best accuracy 0.842 → 0.830');
    const page = await getText(store, historyPageKey('crafted'));
    expect(page).toContain('<svg');
    expect(page).toContain('the winning architecture changed 1 time');
  });

  it('says plainly when every candidate failed', async () => {
    const failed = [makeDoc({ runId: 'run-3', depth: 1, width: 16, values: [], status: 'failed' })];
    const out = await writeRunReport(store, 'run-3', craftedRun().spec, failed, { history: false });
    expect(out.recommended).toBeUndefined();
    expect(out.historyKey).toBeUndefined();
    const html = await getText(store, out.htmlKey);
    expect(html).toContain('No answer: no candidate produced a result.');
    expect(html).toContain('loss became NaN at epoch 3');
  });
});
