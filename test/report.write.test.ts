import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_RECOMMENDATION } from '../src/errors.js';
import { historyPageKey, readHistory, writeRunReport } from '../src/report/index.js';
import { keys } from '../src/store/keys.js';
import { getText, putJson } from '../src/store/store.js';
import { LocalStore } from '../src/store/local.js';
import { accuracyBlocks, makeBaseline, makeDoc, makeFinal } from './fixtures/report/factory.js';
import { around, craftedRun, CRAFTED_RECOMMENDED } from './fixtures/report/run.js';

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
    const { spec, docs, extras } = craftedRun('run-1');
    // What the run recorded beside the candidates: read from the store by the report.
    await putJson(store, keys.baseline('run-1'), extras.baseline);
    await putJson(store, keys.finalModelDoc('run-1'), { ...extras.final, keys: { card: 'runs/run-1/model/README.md' } });
    await putJson(store, keys.runManifest('run-1'), { schema: 'layerbench.run.v1', data: extras.data });
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
    // 5 folds of 2,000 rows validate each of the 10,000 development rows once: ± is their binomial error (√(0.84 · 0.16 / 10,000) ≈ 0.0037), the folds spreading no more than their rows do.
    expect(html).toContain('dense d2 w32 (1,441 params, accuracy 0.840 ± 0.0037) is the smallest candidate as good as the best, dense d2 w64 (4,929 params, accuracy 0.842 ± 0.0036)');
    expect(md).toContain('**Use depth 2 and width 32**: 2 hidden layers, 32 units each (1,441 parameters).');
    // Smaller networks trail by more than a standard error without being significantly worse: undecided, and what would decide.
    expect(md).toContain('Outcome: undecided — ');
    expect(md).toContain('- **Next:** To decide on dense d1 w32: about 11 trials would resolve it at the spread seen — evaluation.repeats 3 with 5 folds.');

    // Every section, every chart, the failure and the Keras code.
    for (const id of ['answer', 'effects', 'leaderboard', 'data', 'diagnoses', 'charts', 'failures', 'keras']) expect(html).toContain(`id="${id}"`);
    expect([...html.matchAll(/<figure class="chart" data-chart="([a-z]+)">/g)].map((m) => m[1])).toEqual(['effects', 'heatmap', 'pareto', 'edge', 'curves', 'time']);
    // One curve chart per ranked candidate; the latency and size charts side by side.
    expect(html.match(/data-panel="curves-\d+"/g)).toHaveLength(8);
    expect(html.match(/data-panel="(latency|size)"/g)).toHaveLength(2);

    // What mattered, in one sentence, right after the answer.
    const effects = 'Both mattered, width more: averaged over depths 1 and 2, accuracy is best at width 64 (0.839) and worst at width 16 (0.805), 0.0335 apart (p = 0.004);';
    expect(md).toContain(`## What mattered: depth or width?\n\n${effects}`);
    expect(html.indexOf(effects)).toBeGreaterThan(answer);
    expect(html.indexOf(effects)).toBeLessThan(html.indexOf('id="leaderboard"'));

    // Links: the sweep's history and the final model's card, relative to the report.
    expect(html).toContain('<a href="../../history/crafted.html">History of this sweep</a>');
    expect(html).toContain('<a href="model/README.md">Model card (final model)</a>');
    expect(md).toContain('[History of this sweep](../../history/crafted.html) · [Model card (final model)](model/README.md)');
    expect(html).toContain('loss became NaN at epoch 4');
    expect(html).toContain('keras.Input(shape=(10,)),\n    keras.layers.Dense(32, activation=&#39;relu&#39;),');
    expect(md).toContain("keras.Input(shape=(10,)),\n    keras.layers.Dense(32, activation='relu'),");
    // What each saved model is: the final model (refit, its test score, its card) and the per-candidate ones.
    expect(html).toContain('<section id="models"><h2>The models it saved</h2>');
    expect(md).toContain(
      '**Final model** — runs/run-1/model/: dense d2 w32 refit on 1,000 rows (every one but the test split) for 12 epochs. Its accuracy on the 250 test rows — never used for choosing — is 0.836.',
    );
    expect(md).toContain('Predict with it: `npx layerbench predict run-1 new-rows.csv`');
    expect(md).toContain("**Per-candidate models** — runs/run-1/models/<candidate>/: each candidate's last trial's model, not one trained on all the data");

    // Leaderboard: 8 ranked rows in both; the diagnoses agree.
    const board = html.slice(html.indexOf('<section id="leaderboard">'), html.indexOf('</section>', html.indexOf('<section id="leaderboard">')));
    expect(board.match(/<tr class="cand( [a-z ]+)?"><td class="num rank">\d+<\/td>/g)).toHaveLength(8);
    // The answer's own table, in the first screen: the best, the recommendation, the undecided smaller one, the baseline.
    const answerBox = html.slice(html.indexOf('id="answer"'), html.indexOf('</section>', html.indexOf('id="answer"')));
    expect(answerBox.match(/<tr class="cand[^"]*"><td class="num rank">[^<]+<\/td><td class="cand-name">[^<]+/g)).toEqual([
      '<tr class="cand best"><td class="num rank">1</td><td class="cand-name">dense d2 w64',
      '<tr class="cand recommended"><td class="num rank">2</td><td class="cand-name">dense d2 w32',
      expect.stringMatching(/^<tr class="cand"><td class="num rank">\d<\/td><td class="cand-name">dense d1 w32$/),
      '<tr class="cand baseline"><td class="num rank">—</td><td class="cand-name">baseline: majority class',
    ]);
    expect(md.match(/^\| \d+ \| dense /gm)).toHaveLength(8);
    for (const kind of ['underfitting', 'overfitting', 'unfinished']) {
      expect(html).toContain(`<span class="tag ${kind === 'unfinished' ? 'info' : 'warn'}">${kind}</span>`);
      expect(md).toContain(`— ${kind}:`);
    }
    expect(md).toContain(
      '3 of 8 candidates have findings (below); the other 5 are not flagged. All 40 trials ran to the 15-epoch cap without stopping early; 5 of them were still improving at the end.',
    );

    // ± means the standard error, everywhere, and says so; means are rounded to it.
    expect(md).toContain('| accuracy (mean ± standard error) | 95 % CI |');
    expect(md).toMatch(/\| 2 \| dense d2 w32 \| 1,441 \| 0\.840 ± 0\.0037 \| 0\.83\d – 0\.84\d \| 5 \|/);
    expect(html).toContain('<th class="num" title="mean ± standard error; under it the 95 % interval">accuracy ± se<br><span class="muted">95 % CI</span></th>');

    // The baseline: in the answer, as a leaderboard row, and as a rule line on the charts.
    expect(md).toContain(
      '- **Baseline:** The baseline "majority class" — always "no" (57.4 % of training rows) — scores accuracy 0.574 ± 0.0014 on the same splits. All 8 candidates beat it (one-sided paired test, p < 0.05).',
    );
    expect(md).toContain('| — | baseline: majority class | 0 | 0.574 ± 0.0014 |');
    expect(html).toContain('<tr class="cand baseline">');
    expect(html).toContain('baseline (majority class) 0.574');

    // The test scores, labelled as never used for choosing: the final model's and the best-ranked candidate's.
    expect(md).toContain(
      '- **Test — never used for choosing:** The final model — dense d2 w32 refit on all non-test rows, the model handed over — scores accuracy 0.836 (250 test rows; no interval: older documents keep no per-row results)',
    );
    expect(md).toContain("The best-ranked dense d2 w64's trial models score accuracy 0.834 (250 test rows; no interval");
    expect(html).toContain('<strong>Test — never used for choosing:</strong> The final model — dense d2 w32 refit');

    // The Data section: rows, drops, imputation, exclusions, features, target, splits, warnings.
    expect(md).toContain('- **Rows:** 1,262 read from datasets/x.csv (csv); 1,250 used (99 %).');
    expect(md).toContain('- **Missing values:** 12 rows dropped (1 % of those read); their missing cells per column: y 12. 3 cells imputed: wind 3. (dataset.missing "impute": numeric cells get');
    expect(md).toContain('- **Columns left out:** "name" (identifier: a different string in every row).');
    expect(md).toContain('| `weather` | categorical, one-hot over 3 categories: "rain", "sun", "fog" |');
    expect(md).toContain('- **Target:** "y", 2 classes: "no" 717 (57.4 %), "yes" 533 (42.6 %).');
    expect(md).toContain('250 rows held out as the test split (stratified random 20 %), never used for choosing.');
    expect(html).toContain('<li><span class="tag warn">data</span> column &quot;name&quot; is unique per row: excluded as an identifier</li>');
    expect(html.indexOf('id="data"')).toBeGreaterThan(html.indexOf('id="leaderboard"'));

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
    // The same ± as everywhere: the standard error, the mean rounded to it.
    expect(page).toContain('<th>best accuracy (mean ± standard error)</th>');
    expect(page).toContain('<td class="num">0.842 ± 0.0035</td>');
  });

  it('gives the final model its own test interval, and says when it does not meet the validation interval, and why', async () => {
    const { spec, docs, extras } = craftedRun('run-4');
    // 84 of 120 test rows right: 0.70, whose Wilson interval (about 0.61 – 0.78) lies below validation's.
    const final = makeFinal({ runId: 'run-4', candidateId: CRAFTED_RECOMMENDED, test: 0.7, rows: 120, blocks: accuracyBlocks(84, 120) });
    const out = await writeRunReport(store, 'run-4', spec, docs, { history: false, extras: { ...extras, final } });
    const md = await getText(store, out.mdKey);
    expect(md).toMatch(/The final model — dense d2 w32 refit on all non-test rows, the model handed over — scores accuracy 0\.700 ± 0\.042 \(95 % CI 0\.612 – 0\.776, 120 test rows\)/);
    expect(md).toMatch(
      /The final model's test interval lies below the validation interval \(0\.83\d – 0\.84\d\)\. Likely reasons: the validation rows chose both the early-stopping epoch and the candidate/,
    );
    // Within it, the test agrees.
    const near = makeFinal({ runId: 'run-4', candidateId: CRAFTED_RECOMMENDED, test: 0.84, rows: 250, blocks: accuracyBlocks(210, 250) });
    const agrees = await writeRunReport(store, 'run-4b', spec, docs, { history: false, extras: { ...extras, final: near } });
    expect(await getText(store, agrees.mdKey)).toContain("The final model's test interval overlaps the validation interval");
  });

  it('recommends no network when none beats the baseline, and shows runs without baseline, test or data as they are', async () => {
    const { spec, docs } = craftedRun('run-5');
    const baseline = makeBaseline({ runId: 'run-5', values: [0.9, 0.9, 0.9, 0.9, 0.9] });
    const out = await writeRunReport(store, 'run-5', spec, docs, { history: false, extras: { baseline, final: null, data: null } });
    expect(out.recommended).toBeUndefined();
    const html = await getText(store, out.htmlKey);
    const md = await getText(store, out.mdKey);
    expect(html).toContain('<p class="headline">No network beats the baseline: use &quot;majority class&quot; (always &quot;no&quot; (57.4 % of training rows)).</p>');
    expect(md).toContain('- **Why:** The baseline scores accuracy 0.900 ± 0 on the same splits; the best network, dense d2 w64');
    expect(md).toMatch(/\| 1 \| dense d2 w64 \| 4,929 \| 0\.842 ± 0\.0036 \| [^|]+ \| 5 \| {2}\| at or below baseline, Pareto \|/);
    expect(html).not.toContain('id="keras"');
    expect(md).toContain('This run recorded no data summary');
    // An old run: nothing beside the candidate documents — no baseline, no test, no data; no crash.
    const old = await writeRunReport(
      store,
      'run-6',
      spec,
      docs.map((d) => ({ ...d, trials: d.trials.map(({ test: _test, ...t }) => t) })),
      { history: false },
    );
    const oldMd = await getText(store, old.mdKey);
    expect(old.recommended).toBe(CRAFTED_RECOMMENDED);
    expect(oldMd).not.toContain('- **Baseline:** The baseline');
    expect(oldMd).toContain('No test score: this run held out no test split (evaluation.test), so nothing here estimates performance on unseen data.');
  });

  it('says why there is no final model: nothing to refit (the answer), a failed refit, or a run made before Finalize existed', async () => {
    const { spec, docs, extras } = craftedRun('run-f');
    const failed = { ...extras.final!, status: 'failed' as const, error: { code: 'E_CANDIDATE', message: 'loss became NaN at epoch 3' }, test: null };
    const out = await writeRunReport(store, 'run-f', spec, docs, { history: false, extras: { ...extras, final: failed } });
    const md = await getText(store, out.mdKey);
    expect(md).toContain("**Final model** — The final model failed: loss became NaN at epoch 3. The candidates' own models below still predict.");
    expect(md).toContain('Predict with it: `npx layerbench predict run-f new-rows.csv --candidate dense-d2-w32-abcdef0123`');
    const answer = { ...failed, candidateId: '', error: { code: NO_RECOMMENDATION, message: 'no candidate beats the baseline; the baseline is the answer' } };
    const noRefit = await writeRunReport(store, 'run-b', spec, docs, { history: false, extras: { ...extras, final: answer } });
    const noRefitMd = await getText(store, noRefit.mdKey);
    expect(noRefitMd).toContain('**Final model** — No final model: no candidate beats the baseline; the baseline is the answer.');
    expect(noRefitMd).not.toContain('The final model failed');
    const none = await writeRunReport(store, 'run-n', spec, docs, { history: false, extras: { ...extras, final: null } });
    expect(await getText(store, none.htmlKey)).toContain('No final model: this run has none');
  });

  it('says plainly when every candidate failed', async () => {
    const failed = [makeDoc({ runId: 'run-3', depth: 1, width: 16, values: [], status: 'failed' })];
    const out = await writeRunReport(store, 'run-3', craftedRun().spec, failed, { history: false });
    expect(out.recommended).toBeUndefined();
    expect(out.historyKey).toBeUndefined();
    const html = await getText(store, out.htmlKey);
    expect(html).toContain('<p class="headline">The only candidate failed: nothing was ranked.</p>');
    expect(html).not.toContain('id="charts"');
    expect(html).not.toContain('id="models"');
    expect(html).not.toContain('History of this sweep');
    expect(html).not.toContain('id="effects"');
    expect(html).toContain('loss became NaN at epoch 3');
  });
});
