/**
 * A run whose held-out test contradicts the validation choice, end to end: a table in time order whose
 * rule flips for its latest rows — the test split. Every step of the workflow runs in this process
 * (Plan, Train, Aggregate, Finalize, Report); the network learns the rule from the earlier rows, beats
 * the baseline on validation, and scores far below it on the test rows. The answer must lead with
 * that on every surface: leaderboard.json, the terminal, report.md and report.html.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLeaderboard } from '../src/results/leaderboard-read.js';
import { runResultText } from '../src/report/terminal.js';
import { report } from '../src/steps/report.js';
import { keys } from '../src/store/keys.js';
import { getJson, getText } from '../src/store/store.js';
import type { SweepSpecInput } from '../src/sweep/schema.js';
import { finalizedRun, type FinalizedRun } from './helpers/finalized-run.js';

/**
 * `t,a,b,y`: 200 rows in time order (t), y = 1 where a > 0.5 — except in the last 40 rows, the test
 * split of `evaluation.test` 0.2 in time order, where y = 1 where a ≤ 0.5. A network that learned the
 * rule is right on nearly every validation row and wrong on nearly every test row; the majority class
 * is right on about half of either.
 */
function flippedCsv(): string {
  const lines = ['t,a,b,y'];
  for (let i = 0; i < 200; i++) {
    const a = ((i * 37) % 100) / 100 + 0.005;
    const b = ((i * 61) % 100) / 100;
    const rule = a > 0.5 ? 1 : 0;
    lines.push(`${i},${a.toFixed(3)},${b.toFixed(2)},${i < 160 ? rule : 1 - rule}`);
  }
  return `${lines.join('\n')}\n`;
}

const sweep: SweepSpecInput = {
  name: 'flipped',
  dataset: { key: 'datasets/flipped.csv', task: 'binary', target: 'y', time: 't', features: ['a', 'b'] },
  model: { family: 'dense', depth: [1], width: [8] },
  training: { epochs: 40, batchSize: 16, learningRate: 0.05, seed: 3, earlyStopping: { patience: 8 } },
  evaluation: { strategy: 'holdout', validationSplit: 0.25, repeats: 3, test: 0.2 },
};

let run: FinalizedRun;
beforeAll(async () => {
  run = await finalizedRun({ sweep, datasetKey: 'datasets/flipped.csv', data: flippedCsv(), runId: 'flipped-run', backend: 'cpu' });
  await report(run.store, run.finalized);
});
afterAll(async () => {
  if (run) await rm(run.dir, { recursive: true, force: true });
});

describe('a held-out test that contradicts the validation choice', () => {
  it('keeps the recommendation and records the contradiction in leaderboard.json, tested row by row', async () => {
    const key = keys.leaderboard(run.runId, 'json');
    const lb = parseLeaderboard(await getJson(run.store, key), key);
    // Validation chose the network: it beats the baseline there.
    expect(lb.recommended?.candidateId).toBe(lb.rows[0]!.candidateId);
    expect(lb.rows[0]!.vsBaseline?.verdict).toBe('beats');
    const check = lb.recommended!.testVsBaseline!;
    expect(check).toMatchObject({ verdict: 'worse', test: 'paired', source: 'final model', rows: 40 });
    expect(check.metric).toBeLessThan(check.baseline);
    expect(check.pWorse).toBeLessThan(0.05);
    expect(lb.answer.warnings).toHaveLength(1);
    expect(lb.answer.warnings![0]).toMatch(
      /^On the 40 held-out test rows the recommended network \(dense d1 w8, the final model\) scored accuracy [0-9.]+, below the baseline's [0-9.]+ \(one-sided paired test on the same rows, p [<=] [0-9.]+\): the validation result did not hold; treat the recommendation as unproven\.$/,
    );
  });

  it('leads the answer with it on the terminal, in report.md and in report.html', async () => {
    const { text } = await runResultText(run.store, run.runId, { width: 100 });
    const lines = text.split('\n');
    const recommended = lines.findIndex((l) => l.startsWith('recommended: depth 1, width 8'));
    expect(recommended).toBeGreaterThan(0);
    expect(lines[recommended + 1]).toMatch(/^ {2}warning: On the 40 held-out test rows the recommended network/);

    // leaderboard.md: the warning right after the answer's line, and the baseline's test score with how the final model stands against it.
    const board = (await getText(run.store, keys.leaderboard(run.runId, 'md'))).split('\n');
    const answerLine = board.findIndex((l) => l.startsWith('- all-equivalent: Use depth 1 and width 8'));
    expect(board[answerLine + 1]).toMatch(/^- \*\*warning:\*\* On the 40 held-out test rows the recommended network/);
    expect(board.join('\n')).toContain('baseline 0.500 (the final model scores below it: one-sided paired test on the same rows, p < 0.001).');

    const md = await getText(run.store, keys.report(run.runId, 'md'));
    const answer = md.slice(md.indexOf('## Answer'));
    expect(answer.split('\n').slice(2, 5)).toEqual([
      expect.stringMatching(/^\*\*Use depth 1 and width 8\*\*/),
      '',
      expect.stringMatching(/^> \*\*Warning:\*\* On the 40 held-out test rows .* below the baseline's .* treat the recommendation as unproven\.$/),
    ]);

    const html = await getText(run.store, keys.report(run.runId, 'html'));
    expect(html).toMatch(
      /<section class="answer unproven" id="answer">\n<p class="headline">Use depth 1 and width 8[^<]*<\/p>\n<p class="warning" role="alert"><strong>Warning:<\/strong> On the 40 held-out test rows/,
    );
    // The test section points to it beside the baseline's test score.
    expect(md).toContain('The baseline scores accuracy 0.500 on the same 40 test rows: see the warning at the top of the answer.');
    // Numbers without rounding noise: three trials over one split score the baseline alike (± 0), and
    // no test row right starts the interval at 0.
    expect(md).toContain('scores accuracy 0.475 ± 0 on the same splits');
    expect(md).toMatch(/scores accuracy 0 ± 0 \(95 % CI 0 – 0\.1\d+, 40 test rows\)/);
    expect(md).toContain('The only candidate, dense d1 w8 (33 params, accuracy 1.00 ± 0), beats the baseline');
  });
});
