/**
 * "Did you mean …?" for a mistyped spec field or enum value, in the words the CLI uses for a
 * mistyped command or flag (commander's helper, src/suggest.ts), through the real command line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { didYouMean } from '../src/suggest.js';

const base = { name: 'x', dataset: { key: 'datasets/x.csv', task: 'binary', target: 'y' }, model: { family: 'dense', depth: [1], width: [8] } };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerbench-dym-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `layerbench plan <spec>`: its exit code and stderr. */
async function plan(spec: unknown): Promise<{ code: number; err: string }> {
  const file = join(dir, 'sweep.json');
  await writeFile(file, JSON.stringify(spec));
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'layerbench', 'plan', file, '--store', join(dir, 'store')]);
    return { code, err };
  } finally {
    spy.mockRestore();
  }
}

describe('did you mean', () => {
  it.each([
    [{ ...base, training: { epoch: 3 } }, 'training: unknown field "epoch" (Did you mean epochs?)'],
    [{ ...base, training: { earlyStopping: { patiense: 2 } } }, 'training.earlyStopping: unknown field "patiense" (Did you mean patience?)'],
    [{ ...base, trainig: {} }, '(spec): unknown field "trainig" (Did you mean training?)'],
    [{ ...base, model: { ...base.model, family: 'dens' } }, 'model.family: must be one of "dense", "cnn", "lstm" (Did you mean dense?)'],
    [{ ...base, evaluation: { metric: 'acuracy' } }, 'evaluation.metric: must be one of "accuracy", "loss", "mse", "rmse", "mae" (Did you mean accuracy?)'],
    [{ ...base, dataset: { ...base.dataset, task: 'regresion' } }, 'dataset.task: must be one of "binary", "multiclass", "regression", "forecast" (Did you mean regression?)'],
    [{ ...base, search: { strategy: 'halvng' } }, 'search.strategy: must be one of "grid", "random", "halving", "hyperband" (Did you mean halving?)'],
  ])('%j', async (spec, message) => {
    const { code, err } = await plan(spec);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toEqual([expect.stringContaining(message)]);
  });

  it('suggests nothing far from every name, as commander does for commands', async () => {
    expect((await plan({ ...base, zzz: 1 })).err).toMatch(/unknown field "zzz"\n$/);
    expect(didYouMean('zzz', ['training', 'model'])).toBe('');
    // The same words as a mistyped command.
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      expect(await main(['node', 'layerbench', 'plna'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err).toContain('(Did you mean plan?)');
  });
});
