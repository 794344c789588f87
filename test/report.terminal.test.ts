import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataBlock, dataFacts } from '../src/report/data-text.js';
import { runResultText } from '../src/report/terminal.js';
import { buildLeaderboard } from '../src/results/leaderboard-build.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { putJson } from '../src/store/store.js';
import { makeDataSummary } from './fixtures/report/factory.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the data block after a run', () => {
  it('tells rows read, dropped and imputed, what was left out (once: not again as a warning), the inputs, the target and the splits', () => {
    expect(dataBlock(makeDataSummary())).toBe(
      [
        'data: 1,262 rows read from datasets/x.csv, 1,250 used · 12 rows dropped (y 12) · 3 cells imputed (wind 3)',
        '  left out: name (identifier: a different string in every row)',
        '  inputs: 3 features → 6 encoded columns: temp, wind (+ was-missing indicator), weather (3 categories)',
        '  target: "y", 2 classes: "no" 717 (57.4 %), "yes" 533 (42.6 %).',
        '  splits: test 250 rows (stratified random 20 %; never used for choosing); per trial 800 training / 200 validation rows; 5 trials',
        '',
      ].join('\n'),
    );
  });

  it('a regression target with its unit, nothing dropped, no test split', () => {
    const d = makeDataSummary({
      dropped: { rows: 0, byColumn: {} },
      imputed: {},
      excluded: [],
      warnings: [],
      target: { kind: 'numeric', name: 'mpg', mean: 23.45, std: 7.805, min: 9, max: 46.6, unit: 'mpg' },
      splits: { test: 0, testRule: 'none', train: 313, validation: 79, trials: 3 },
    });
    const text = dataBlock(d);
    expect(text).toContain('data: 1,262 rows read from datasets/x.csv, 1,250 used\n');
    expect(text).toContain('  target: "mpg": mean 23.45 mpg, standard deviation 7.805 mpg, from 9.000 to 46.60 mpg.');
    expect(text).toContain('  splits: no test split; per trial 313 training / 79 validation rows; 3 trials');
    expect(text).not.toContain('left out');
  });
});

describe('the Data section facts', () => {
  it('says nothing about the missing-value setting when nothing was missing (mnist)', () => {
    const d = makeDataSummary({ format: 'npz', rowsRead: 10_000, rowsUsed: 10_000, dropped: { rows: 0, byColumn: {} }, imputed: {}, excluded: [], warnings: [] });
    expect(dataFacts(d).find((f) => f.label === 'Missing values')!.text).toBe('none: no row dropped, no cell imputed.');
  });
});

describe('runResultText', () => {
  it('prints the data block, then the leaderboard, for a run that has both; the leaderboard alone for an older run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-terminal-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    const manifest = craftedManifest('r1');
    const [a, b] = manifest.candidates;
    await putJson(store, keys.leaderboard('r1', 'json'), buildLeaderboard(manifest, [craftedDoc('r1', a!, [0.7, 0.72], 21), craftedDoc('r1', b!, [0.8, 0.78], 41)]));
    await putJson(store, keys.runManifest('r1'), { ...manifest, data: makeDataSummary() });
    const { leaderboard, text } = await runResultText(store, 'r1');
    expect(leaderboard.rows).toHaveLength(2);
    expect(text.indexOf('data: 1,262 rows read')).toBe(0);
    expect(text.indexOf('crafted · run r1 · 2 of 4 candidates')).toBeGreaterThan(0);
    expect(text).toContain('recommended: depth 1, width 8 (8 units, 41 parameters)');

    await putJson(store, keys.runManifest('r1'), manifest);
    expect((await runResultText(store, 'r1')).text.startsWith('crafted · run r1')).toBe(true);
  });
});
