/**
 * Bad input found in the store rather than on the command line (issue 21): the documents of an earlier
 * run — a run.json, baseline or final.json cut short, another document's shape — and saved models that
 * do not hold together. One run is trained once; every case copies its store, breaks one thing and runs
 * the command a user would. Each must end with exit 2 and one line naming the key (never the content),
 * print nothing on stdout, and leave every file of the store exactly as it was: a resume refused is
 * refused before its sweep, plan or anything else is written.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { finalModelDocSchema } from '../src/results/final-model.js';
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
let candidate: string;
const dirs: string[] = [];

beforeAll(async () => {
  trained = await finalizedRun({ sweep: sweepSpec, datasetKey: 'datasets/ab.csv', data: separableCsv(160, 11), runId: RUN });
  dirs.push(trained.dir);
  const final = finalModelDocSchema.parse(JSON.parse(await readFile(join(trained.dir, keys.finalModelDoc(RUN)), 'utf8')));
  expect(final.status, 'the fixture needs a final model').toBe('succeeded');
  candidate = final.candidateId;
}, 120_000);
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Every file under `dir` with a hash of its content: "nothing written" means this does not change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return out;
}

interface StoreCase {
  name: string;
  /** Break something in the copied store (the case's directory has `store/` and `sweep.json`). */
  breakIt: (store: string) => Promise<void>;
  /** Arguments; `{store}`, `{sweep}`, `{rows}` and `{candidate}` are filled in. */
  args: string[];
  message: string | RegExp;
}

const at = (store: string, key: string) => join(store, ...key.split('/'));
const write = (key: string, body: string | Uint8Array) => async (store: string) => {
  await mkdir(dirname(at(store, key)), { recursive: true });
  await writeFile(at(store, key), body);
};
const editJson = (key: string, edit: (doc: Record<string, unknown>) => void) => async (store: string) => {
  const doc = JSON.parse(await readFile(at(store, key), 'utf8')) as Record<string, unknown>;
  edit(doc);
  await writeFile(at(store, key), JSON.stringify(doc));
};

const resume = ['run', '{sweep}', '--store', '{store}', '--run-id', RUN, '--workers', '1'];
const trainInto = ['train', '{sweep}', '--store', '{store}', '--run-id', RUN, '--candidate', '{candidate}'];
const predict = ['predict', RUN, '{rows}', '--store', '{store}'];
const predictCandidate = [...predict, '--candidate', '{candidate}'];
const cannotResume = `; run ${RUN} cannot be resumed (choose another run id, or delete the file)`;

const CASES: StoreCase[] = [
  // A run's own documents, read back when it is resumed or predicted with.
  {
    name: 'resume with run.json cut short',
    breakIt: write(keys.runManifest(RUN), '{"schema": "layerbench.run.v1", "runId": "stor'),
    args: resume,
    message: `layerbench: ${keys.runManifest(RUN)}: not valid JSON: it ends early (truncated?)`,
  },
  { name: 'resume with an empty run.json', breakIt: write(keys.runManifest(RUN), ''), args: resume, message: `layerbench: ${keys.runManifest(RUN)}: empty` },
  {
    name: 'resume with run.json of binary garbage (not quoted back)',
    breakIt: write(keys.runManifest(RUN), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff])),
    args: resume,
    message: new RegExp(`^layerbench: ${keys.runManifest(RUN)}: not valid JSON: [^"]*$`),
  },
  {
    name: 'resume with run.json of another shape',
    breakIt: write(keys.runManifest(RUN), '{"schema": "layerbench.run.v1"}'),
    args: resume,
    message: `layerbench: ${keys.runManifest(RUN)}: not a layerbench.run.v1 document`,
  },
  {
    name: 'resume with baseline.json cut short',
    breakIt: write(keys.baseline(RUN), '{"schema": "layerbench.baseline.v1", "runI'),
    args: resume,
    message: `layerbench: ${keys.baseline(RUN)}: not valid JSON: it ends early (truncated?)${cannotResume}`,
  },
  {
    name: 'resume with a baseline.json of another shape',
    breakIt: write(keys.baseline(RUN), '{"schema": "layerbench.baseline.v1", "runId": 7}'),
    args: resume,
    message: `layerbench: ${keys.baseline(RUN)}: not a layerbench.baseline.v1 document`,
  },
  {
    name: 'resume with final.json cut short',
    breakIt: write(keys.finalModelDoc(RUN), '{"schema": "layer'),
    args: resume,
    message: `layerbench: ${keys.finalModelDoc(RUN)}: not valid JSON: it ends early (truncated?)${cannotResume}`,
  },
  { name: 'resume with a broken halving.json', breakIt: write(keys.halving(RUN), '[1, 2'), args: resume, message: `layerbench: ${keys.halving(RUN)}: not valid JSON` },
  { name: 'train into a run whose run.json is cut short', breakIt: write(keys.runManifest(RUN), '{"sch'), args: trainInto, message: `layerbench: ${keys.runManifest(RUN)}: not valid JSON` },
  {
    name: 'train into a run whose baseline.json is cut short',
    breakIt: write(keys.baseline(RUN), '{"sch'),
    args: trainInto,
    message: `layerbench: ${keys.baseline(RUN)}: not valid JSON: it ends early (truncated?)${cannotResume}`,
  },
  { name: 'predict from a run whose run.json is cut short', breakIt: write(keys.runManifest(RUN), '{"sch'), args: predict, message: `layerbench: ${keys.runManifest(RUN)}: not valid JSON` },
  // Saved models that do not hold together.
  {
    name: "predict with an unknown layer in model.json (one line, not tfjs' list of reasons)",
    breakIt: async (s) => write(`${keys.finalModel(RUN)}model.json`, (await readFile(at(s, `${keys.finalModel(RUN)}model.json`), 'utf8')).replaceAll('"Dense"', '"Densely"'))(s),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}model.json: cannot be loaded (Unknown layer: Densely.)`,
  },
  {
    name: 'predict with a model.json that is not JSON',
    breakIt: write(`${keys.finalModel(RUN)}model.json`, 'garbage\nmore garbage'),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}model.json: not valid JSON: Unexpected token 'g'`,
  },
  {
    name: 'predict with a model.json without a topology',
    breakIt: write(`${keys.finalModel(RUN)}model.json`, '{}'),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}model.json: not a TensorFlow.js layers model (no modelTopology or weightsManifest)`,
  },
  {
    name: 'predict with weights.bin cut short',
    breakIt: write(`${keys.finalModel(RUN)}weights.bin`, new Uint8Array(5)),
    args: predict,
    message: new RegExp(`^layerbench: ${keys.finalModel(RUN)}weights\\.bin: holds 5 bytes, but model\\.json's weights take \\d+; the two files do not belong together$`),
  },
  {
    name: 'predict with weights.bin missing',
    breakIt: (s) => rm(at(s, `${keys.finalModel(RUN)}weights.bin`)),
    args: predict,
    message: new RegExp(`^layerbench: ${keys.finalModel(RUN)}weights\\.bin: not found in `),
  },
  {
    name: 'predict with a preprocessing.json for other inputs',
    breakIt: editJson(`${keys.finalModel(RUN)}preprocessing.json`, (p) => (p.inputShape = [5])),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}: model.json and preprocessing.json do not belong together: the model takes inputs of shape [2], the preprocessing prepares [5]`,
  },
  {
    name: 'predict with a preprocessing.json for other outputs',
    breakIt: editJson(`${keys.finalModel(RUN)}preprocessing.json`, (p) => (p.outputs = 3)),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}: model.json and preprocessing.json do not belong together: the model gives 1 outputs, the preprocessing reads 3`,
  },
  {
    name: 'predict with a preprocessing.json whose classes were edited',
    breakIt: editJson(`${keys.finalModel(RUN)}preprocessing.json`, (p) => ((p.target as { classes: string[] }).classes = ['0', '1', '2'])),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}: model.json and preprocessing.json do not belong together: the preprocessing's target (3 classes) does not fit its 1 outputs`,
  },
  {
    name: "a candidate's preprocessing.json for other inputs",
    breakIt: async (s) => editJson(`${keys.model(RUN, candidate)}preprocessing.json`, (p) => (p.inputShape = [3]))(s),
    args: predictCandidate,
    message: /model\.json and preprocessing\.json do not belong together: the model takes inputs of shape \[2\], the preprocessing prepares \[3\]$/,
  },
  // The rows to predict are bad input too (the file beside the store).
  {
    name: 'predict rows with an Infinity cell',
    breakIt: async (store) => writeFile(join(store, '..', 'rows.csv'), 'a,b\n0.5,0.5\n0.2,Infinity\n'),
    args: predict,
    message: /rows\.csv: row 3, column "b": "Infinity" is not a finite number; leave the cell empty if its value is unknown$/,
  },
  {
    name: 'predict rows with only a header',
    breakIt: async (store) => writeFile(join(store, '..', 'rows.csv'), 'a,b\n'),
    args: predict,
    message: /rows\.csv: the file has a header but no data rows$/,
  },
  {
    name: 'predict with a preprocessing.json that is not JSON',
    breakIt: write(`${keys.finalModel(RUN)}preprocessing.json`, 'nope'),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}preprocessing.json: not valid JSON`,
  },
  {
    name: 'predict with a preprocessing.json of another shape',
    breakIt: write(`${keys.finalModel(RUN)}preprocessing.json`, '{"schema": "layerbench.preprocessing.v1"}'),
    args: predict,
    message: `layerbench: ${keys.finalModel(RUN)}preprocessing.json: not a layerbench.preprocessing.v2 (or v1) document`,
  },
];

describe('bad input in the store: one line naming the key, exit 2, nothing written', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-bad-store-'));
    dirs.push(dir);
    const store = join(dir, 'store');
    await cp(trained.dir, store, { recursive: true });
    await writeFile(join(dir, 'sweep.json'), JSON.stringify(sweepSpec));
    await writeFile(join(dir, 'rows.csv'), separableCsv(6, 5));
    await c.breakIt(store);
    vi.stubEnv('LAYERBENCH_STORE', store);
    const before = await snapshot(dir);

    const out = await cli(
      ...c.args.map((a) => a.replaceAll('{store}', store).replaceAll('{sweep}', join(dir, 'sweep.json')).replaceAll('{rows}', join(dir, 'rows.csv')).replaceAll('{candidate}', candidate)),
    );

    expect(out.code, out.stderr).toBe(2);
    expect(out.stdout).toBe('');
    const lines = out.stderr.split('\n').filter((l) => l !== '');
    expect(lines, out.stderr).toHaveLength(1);
    if (typeof c.message === 'string') expect(lines[0]).toContain(c.message);
    else expect(lines[0]).toMatch(c.message);
    expect(await snapshot(dir)).toEqual(before);
  });
});
