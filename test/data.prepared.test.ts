import { describe, expect, it } from 'vitest';
import { encodeNpz } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import { decodePrepared, encodePrepared, preparedKey } from '../src/data/prepared.js';
import { cachedSplits } from '../src/data/split-cache.js';
import { splitDataset } from '../src/data/split.js';
import { datasetSchema, evaluationSchema } from '../src/sweep/schema.js';

const csvSpec = datasetSchema.parse({ key: 'datasets/t.csv', task: 'multiclass', target: 'kind' });
// A category, a missing value, a number column and a three-class target: what the CSV parse makes.
const CSV = `x,colour,kind\n${Array.from({ length: 30 }, (_, i) => `${i === 3 ? '' : (i * 0.37).toFixed(2)},${['red', 'green', 'blue'][i % 3]},${['a', 'b', 'c'][(i * 7) % 3]}`).join('\n')}\n`;

describe('prepared dataset', () => {
  it('reads back exactly what the CSV parse made, NaN included', () => {
    const parsed = parseDataset(csvSpec, new TextEncoder().encode(CSV));
    const back = decodePrepared(encodePrepared(parsed), 'prepared/x.bin');
    expect(back).toEqual(parsed);
    // The same splits and encodings follow from it.
    const evaluation = evaluationSchema.parse({ strategy: 'kfold', folds: 3 });
    expect(splitDataset(back, evaluation, 7, 0)).toEqual(splitDataset(parsed, evaluation, 7, 0));
  });

  it('keeps uint8 images as bytes and scales them as parsing did', () => {
    const pixels = Array.from({ length: 4 * 2 * 2 }, (_, i) => (i * 37) % 256);
    const npz = encodeNpz({ x: { data: pixels, shape: [4, 2, 2, 1], dtype: 'u1' }, y: { data: [0, 1, 0, 1], shape: [4], dtype: 'u1' } });
    const spec = datasetSchema.parse({ key: 'datasets/i.npz', format: 'npz', task: 'binary' });
    const parsed = parseDataset(spec, npz);
    const bytes = encodePrepared(parsed);
    expect(decodePrepared(bytes, 'prepared/i.bin')).toEqual(parsed);
    // One byte per pixel, not four.
    expect(bytes.length).toBeLessThan(parsed.kind === 'array' ? parsed.x.byteLength + 2048 : 0);
  });

  it('names the object when its bytes are not a prepared dataset', () => {
    const parsed = parseDataset(csvSpec, new TextEncoder().encode(CSV));
    const good = encodePrepared(parsed);
    expect(() => decodePrepared(new TextEncoder().encode('a,b\n1,2\n'), 'prepared/bad.bin')).toThrow(/^prepared\/bad\.bin: not a layerbench\.prepared\.v1 dataset \(no LBDS header\)$/);
    expect(() => decodePrepared(good.subarray(0, 40), 'prepared/cut.bin')).toThrow(/^prepared\/cut\.bin: not a layerbench\.prepared\.v1 dataset/);
  });

  it('is keyed by the dataset spec and its content version', () => {
    const key = preparedKey(csvSpec, 'v1');
    expect(key).toMatch(/^prepared\/[0-9a-f]{32}\.bin$/);
    expect(preparedKey(csvSpec, 'v1')).toBe(key);
    expect(preparedKey(csvSpec, 'v2')).not.toBe(key);
    expect(preparedKey({ ...csvSpec, target: 'x' }, 'v1')).not.toBe(key);
  });
});

describe('split cache', () => {
  const parsed = parseDataset(csvSpec, new TextEncoder().encode(CSV));
  const evaluation = evaluationSchema.parse({ strategy: 'kfold', folds: 3 });

  it('hands every candidate the same splits the split itself makes', () => {
    const first = cachedSplits(parsed, evaluation, 3, 0);
    expect(first).toEqual(splitDataset(parsed, evaluation, 3, 0));
    expect(cachedSplits(parsed, evaluation, 3, 0)).toBe(first);
    // Another repeat or seed is another split.
    expect(cachedSplits(parsed, evaluation, 3, 1)).not.toBe(first);
    expect(cachedSplits(parsed, evaluation, 4, 0)).not.toBe(first);
  });

  it("keeps the repeats that fit and does not let a sweep's next repeat push out its last (repeats are asked for in turn: that missed every time)", () => {
    // Arrange: a budget that holds one repeat's splits and a half.
    const one = splitDataset(parsed, evaluation, 6, 0);
    const bytes = one.reduce((s, f) => s + [f.train, f.val, f.test].reduce((b, set) => b + (set ? set.x.byteLength + set.y.byteLength : 0), 0), 0);
    const budget = Math.floor(1.5 * bytes);
    // Act: two candidates' trials, repeat 0 then 1 each.
    const first = [cachedSplits(parsed, evaluation, 6, 0, budget), cachedSplits(parsed, evaluation, 6, 1, budget)];
    const second = [cachedSplits(parsed, evaluation, 6, 0, budget), cachedSplits(parsed, evaluation, 6, 1, budget)];
    // Assert: repeat 0 is kept and handed out again; repeat 1, which does not fit beside it, is made again.
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]).toEqual(first[1]);
    // Another sweep's splits (another seed) take the room of the least recently used sweep's.
    const other = cachedSplits(parsed, evaluation, 8, 0, budget);
    expect(cachedSplits(parsed, evaluation, 8, 0, budget)).toBe(other);
    expect(cachedSplits(parsed, evaluation, 6, 0, budget)).not.toBe(first[0]);
  });

  it('does not keep splits larger than its budget', () => {
    const first = cachedSplits(parsed, evaluation, 5, 0, 16);
    expect(cachedSplits(parsed, evaluation, 5, 0, 16)).not.toBe(first);
    expect(cachedSplits(parsed, evaluation, 5, 0, 16)).toEqual(first);
  });
});
