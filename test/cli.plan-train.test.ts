import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidateDocSchema } from '../src/results/document.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson } from '../src/store/store.js';
import { cli } from './helpers/cli.js';
import { gridCsv, gridSweep } from './helpers/tiny-sweep.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp directory holding a store with a small learnable CSV, and a sweep file beside it. */
async function workspace(sweep: Record<string, unknown>): Promise<{ dir: string; storeDir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-cli-'));
  dirs.push(dir);
  const storeDir = join(dir, 'store');
  await new LocalStore(storeDir).put('datasets/ab.csv', gridCsv());
  const file = join(dir, 'sweep.json');
  await writeFile(file, JSON.stringify(sweep));
  return { dir, storeDir, file };
}

const tiny = gridSweep;

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('layerbench plan', () => {
  it('lists every candidate with its id, and writes nothing', async () => {
    const { storeDir, file } = await workspace(tiny);
    const before = await listAll(storeDir);
    const out = await cli('plan', file, '--store', storeDir, '--json');
    expect(out.code).toBe(0);
    const candidates = JSON.parse(out.stdout) as { id: string; depth: number; width: number }[];
    expect(candidates.map((c) => [c.depth, c.width])).toEqual([
      [1, 4],
      [2, 4],
    ]);
    expect(candidates[0]!.id).toMatch(/^dense-d1-w4-[0-9a-f]{10}$/);
    expect(await listAll(storeDir)).toEqual(before);
  });

  it("a halving sweep's plan shows its rounds and what they train against the grid", async () => {
    const { storeDir, file } = await workspace({
      ...tiny,
      model: { family: 'dense', depth: [1, 2, 3], width: [4, 8, 16] },
      training: { epochs: 9 },
      evaluation: { repeats: 1 },
      search: { strategy: 'halving', eta: 3 },
    });
    const out = await cli('plan', file, '--store', storeDir);
    expect(out.code).toBe(0);
    // 9 at 1 epoch, then 3 at 3 (up to 6 with those the test cannot tell from the cut), then 1 at 9 (up to 2 · ⌊6/3⌋ = 4):
    // 9 + 3·2 + 1·6 = 21 epochs, at most 9 + 6·2 + 4·6 = 45, of the grid's 9 · 9 = 81.
    // Every line at most 100 columns: the long one wraps (continuation lines indented).
    expect(out.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(out.stdout.replace(/\n +/g, ' ')).toContain(
      "halving: 9 at 1 epoch → 3–4 at 3 epochs → 1–2 at 9 epochs; 21–29 epochs in all, 26–36 % of the grid's 81 (every trial to training.epochs, before early stopping)",
    );
  });

  it('names the data problem in one line and exits 2', async () => {
    const { storeDir, file } = await workspace({ ...tiny, dataset: { ...tiny.dataset, target: 'rain' } });
    const out = await cli('plan', file, '--store', storeDir);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/dataset\.target: column "rain" is not in the header/);
  });
});

describe('layerbench plan checks the data before anything is written', () => {
  it('a numeric column with a stray string, a column of names listed as dates, too few rows: one line each, exit 2', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i === 15 ? 'abc' : i},car ${i},${i % 2}`);
    const cases: [Record<string, unknown>, string][] = [
      [{ key: 'datasets/cars.csv', task: 'binary', target: 'y' }, 'datasets/cars.csv: row 17, column "temp": "abc" is not a number'],
      [
        { key: 'datasets/cars.csv', task: 'binary', target: 'y', features: ['name'], dates: ['name'] },
        'datasets/cars.csv: row 2, column "name": "car 0" is not a date (dataset.dates lists the column;',
      ],
      [{ key: 'datasets/few.csv', task: 'binary', target: 'y' }, 'datasets/few.csv: 2 rows are too few: the test split (evaluation.test 0.2) holds out 1, leaving 1'],
    ];
    for (const [dataset, message] of cases) {
      const { storeDir, file } = await workspace({ ...tiny, dataset });
      await new LocalStore(storeDir).put('datasets/cars.csv', `temp,name,y\n${rows.join('\n')}\n`);
      await new LocalStore(storeDir).put('datasets/few.csv', 'temp,y\n1,0\n2,1\n');
      const before = await listAll(storeDir);
      const out = await cli('plan', file, '--store', storeDir);
      expect(out.code).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toContain(`layerbench: ${message}`);
      expect(await listAll(storeDir)).toEqual(before);
    }
  });
});

describe('layerbench train', () => {
  it('trains one candidate and writes its document into a run', async () => {
    const { storeDir, file } = await workspace(tiny);
    const planned = JSON.parse((await cli('plan', file, '--store', storeDir, '--json')).stdout) as { id: string }[];
    const id = planned[1]!.id;
    const out = await cli('train', file, '--store', storeDir, '--candidate', id, '--backend', 'cpu');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`document: ${storeDir}/${keys.candidate('tiny-manual', id)}`);
    // Piped: no progress on stderr (on a terminal it shows each epoch); the summary wrapped to 100 columns.
    expect(out.stderr).toBe('');
    expect(
      out.stdout
        .split('\n')
        .filter((l) => !l.startsWith('document: '))
        .every((l) => l.length <= 100),
    ).toBe(true);
    const doc = candidateDocSchema.parse(await getJson(new LocalStore(storeDir), keys.candidate('tiny-manual', id)));
    expect(doc).toMatchObject({ status: 'succeeded', backend: 'cpu', candidate: { id, depth: 2, width: 4 } });
    expect(doc.trials[0]!.epochs).toHaveLength(2);
  });

  it('--json prints the candidate document and where it is', async () => {
    const { storeDir, file } = await workspace(tiny);
    const planned = JSON.parse((await cli('plan', file, '--store', storeDir, '--json')).stdout) as { id: string; resources: { params: number; memoryBytes: number } }[];
    const id = planned[0]!.id;
    expect(planned[0]!.resources.params).toBeGreaterThan(0);

    const out = await cli('train', file, '--store', storeDir, '--candidate', id, '--backend', 'cpu', '--json');

    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as { schema: string; runId: string; candidateId: string; skipped: boolean; location: string; document: unknown };
    expect(result).toMatchObject({ schema: 'layerbench.cli.train.v1', runId: 'tiny-manual', candidateId: id, skipped: false, location: `${storeDir}/${keys.candidate('tiny-manual', id)}` });
    expect(result.document).toEqual(await getJson(new LocalStore(storeDir), keys.candidate('tiny-manual', id)));
  });

  it('refuses an unknown candidate with exit 2, naming the option, and writes nothing', async () => {
    const { storeDir, file } = await workspace(tiny);
    const before = await listAll(storeDir);
    const out = await cli('train', file, '--store', storeDir, '--candidate', 'dense-d9-w9-0000000000');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^layerbench: --candidate: "dense-d9-w9-0000000000" is not a candidate of tiny/);
    expect(await listAll(storeDir)).toEqual(before);
  });

  it('refuses an invalid sweep with exit 2, naming the field, and writes nothing', async () => {
    const { storeDir, file } = await workspace({ ...tiny, training: { epochs: 0 } });
    const before = await listAll(storeDir);
    const out = await cli('train', file, '--store', storeDir, '--candidate', 'x');
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`layerbench: ${file}: training.epochs: must be ≥ 1\n`);
    expect(await listAll(storeDir)).toEqual(before);
  });
});
