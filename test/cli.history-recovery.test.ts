/**
 * An earlier run's history record that cannot be read never blocks a new run (issue 21: one truncated
 * history/<sweep>/<run>.json made every later run of the sweep fail in Report, after training, leaving
 * no report and no history). Whole `layerbench run` commands on a worker pool: the e2e lane.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../src/store/keys.js';
import type { SweepSpecInput } from '../src/sweep/schema.js';
import { cli } from './helpers/cli.js';
import { finalizedRun, type FinalizedRun } from './helpers/finalized-run.js';
import { separableCsv } from './helpers/tiny-sweep.js';

const sweepSpec: SweepSpecInput = {
  name: 'stored',
  dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' },
  model: { family: 'dense', depth: [1], width: [6] },
  training: { epochs: 25, batchSize: 16, learningRate: 0.05, seed: 3 },
  evaluation: { strategy: 'holdout', validationSplit: 0.25, test: 0.2 },
};
const RUN = 'stored-run';

let trained: FinalizedRun;
const dirs: string[] = [];
beforeAll(async () => {
  trained = await finalizedRun({ sweep: sweepSpec, datasetKey: 'datasets/ab.csv', data: separableCsv(160, 11), runId: RUN });
  dirs.push(trained.dir);
}, 120_000);
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const at = (store: string, key: string) => join(store, ...key.split('/'));
const write = (key: string, body: string) => async (store: string) => {
  await mkdir(dirname(at(store, key)), { recursive: true });
  await writeFile(at(store, key), body);
};

describe('an earlier run that cannot be read never blocks a new one', () => {
  it('a corrupt history record: the new run trains, reports and records its history, with one warning naming the key', async () => {
    // Arrange: the earlier run's history record cut short
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-bad-history-'));
    dirs.push(dir);
    const store = join(dir, 'store');
    await cp(trained.dir, store, { recursive: true });
    await writeFile(join(dir, 'sweep.json'), JSON.stringify(sweepSpec));
    const broken = keys.historyRun(sweepSpec.name, RUN);
    await write(broken, '{"schema": "layerbench.history-record.v1", "sweep": "sto')(store);

    // Act: a new run of the same sweep
    const out = await cli('run', join(dir, 'sweep.json'), '--store', store, '--workers', '1', '--json', '--quiet');

    // Assert
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as { runId: string; status: string };
    expect(result.status).toBe('succeeded');
    expect(out.stderr).toBe('');
    const files = (await readdir(at(store, `runs/${result.runId}`))).sort();
    expect(files).toEqual(expect.arrayContaining(['leaderboard.json', 'report.html', 'report.md']));
    expect(await readdir(at(store, keys.historyRuns(sweepSpec.name)))).toEqual(expect.arrayContaining([`${result.runId}.json`]));
    expect(await readFile(at(store, broken), 'utf8')).toBe('{"schema": "layerbench.history-record.v1", "sweep": "sto');
  }, 120_000);

  it('says so without --quiet: one warning line naming the record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-bad-history-'));
    dirs.push(dir);
    const store = join(dir, 'store');
    await cp(trained.dir, store, { recursive: true });
    await writeFile(join(dir, 'sweep.json'), JSON.stringify(sweepSpec));
    await write(keys.historyRun(sweepSpec.name, RUN), 'not json at all')(store);

    const out = await cli('run', join(dir, 'sweep.json'), '--store', store, '--workers', '1', '--json');

    expect(out.code, out.stderr).toBe(0);
    // One warning, wrapped to the terminal's 100 columns (continuation lines are indented).
    expect(out.stderr.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(
      out.stderr
        .replace(/\n {2,}/g, ' ')
        .split('\n')
        .filter((l) => l.startsWith('warning:')),
    ).toEqual([`warning: ${keys.historyRun(sweepSpec.name, RUN)}: not valid JSON: Unexpected token 'o'; left out of the sweep's history`]);
  }, 120_000);
});
