/**
 * The recommended model's Keras script: written as model.py beside the final model by the Report
 * step, and printed (or written) by `layerbench export keras <runId>` — the same script — on a run
 * taken through the real steps (Plan, Train, Aggregate, Finalize, Report) on a small separable table.
 */
import { readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { finalModelScriptKey } from '../src/report/index.js';
import { report } from '../src/steps/report.js';
import { getText } from '../src/store/store.js';
import { cli } from './helpers/cli.js';
import { finalizedRun, type FinalizedRun } from './helpers/finalized-run.js';
import { separableCsv } from './helpers/tiny-sweep.js';

let run: FinalizedRun;
let recommended: string | undefined;

beforeAll(async () => {
  run = await finalizedRun({
    sweep: {
      name: 'separable',
      dataset: { key: 'datasets/sep.csv', task: 'binary', target: 'label' },
      model: { family: 'dense', depth: [1], width: [4, 8] },
      training: { epochs: 20, batchSize: 16, seed: 3 },
      evaluation: { strategy: 'holdout', validationSplit: 0.25 },
    },
    datasetKey: 'datasets/sep.csv',
    data: separableCsv(240, 11),
    runId: 'sep-1',
  });
  const reported = await report(run.store, run.finalized, { now: new Date('2026-03-01T00:00:00.000Z') });
  recommended = reported.runs[0]!.recommended;
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  if (run) await rm(run.dir, { recursive: true, force: true });
});

describe('the Keras script as a file', () => {
  it('model.py sits beside the final model, and export keras prints the same script', async () => {
    expect(recommended).toBeDefined();
    const script = await getText(run.store, finalModelScriptKey('sep-1'));
    expect(existsSync(join(run.dir, 'runs', 'sep-1', 'model', 'final.json'))).toBe(true);
    expect(script).toContain('import sys');
    expect(script).toMatch(/^DATA = sys\.argv\[1\] if len\(sys\.argv\) > 1 else ['"]sep\.csv['"]/m);
    expect(script).toContain('keras.layers.Dense(');
    expect(script).toContain('model.fit(X_train, y_train');
    const r = await cli('export', 'keras', 'sep-1', '--store', run.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(script);
    // And into a file, with one line on stderr saying how to run it.
    const out = join(run.dir, 'exported.py');
    const w = await cli('export', 'keras', 'sep-1', '--store', run.dir, '--out', out);
    expect(w.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(script);
    expect(w.stderr).toMatch(/as Keras: .*exported\.py — run it with: python .*exported\.py <data>\n$/);
  });

  it('another ranked candidate with --candidate; an unknown one or run is one line and exit 2', async () => {
    const other = ['dense-d1-w4', 'dense-d1-w8'].find((p) => !recommended!.startsWith(p))!;
    const docs = await cli('plan', join(run.dir, 'sweeps', 'separable.json'), '--store', run.dir, '--json');
    const otherId = (JSON.parse(docs.stdout) as { id: string }[]).find((c) => c.id.startsWith(other))!.id;
    const r = await cli('export', 'keras', 'sep-1', '--store', run.dir, '--candidate', otherId);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`width ${other.endsWith('w4') ? 4 : 8}`);
    const bad = await cli('export', 'keras', 'sep-1', '--store', run.dir, '--candidate', 'dense-d9-w9');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^layerbench: --candidate: "dense-d9-w9" is not a ranked candidate of run sep-1 \(ranked: .*\)\n$/);
    const none = await cli('export', 'keras', 'no-such-run', '--store', run.dir);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')).toHaveLength(2);
  });
});
