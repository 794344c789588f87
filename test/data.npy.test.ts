import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { datasetInfo } from '../src/data/info.js';
import { decodeNpy, decodeNpz, encodeNpy, encodeNpz, type NpyDtype } from '../src/data/npy.js';
import { parseDataset } from '../src/data/parse.js';
import { DataError } from '../src/errors.js';
import { datasetSchema, type DatasetSpec } from '../src/sweep/schema.js';

const spec = (fields: Record<string, unknown>): DatasetSpec => datasetSchema.parse({ key: 'datasets/d.npz', format: 'npz', ...fields });
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('npy encode → decode', () => {
  const cases: [NpyDtype, number[]][] = [
    ['u1', [0, 1, 128, 255]],
    ['i1', [-128, -1, 0, 127]],
    ['u2', [0, 1, 65535, 300]],
    ['i2', [-32768, -2, 0, 32767]],
    ['i4', [-2147483648, -5, 7, 2147483647]],
    ['i8', [-9007199254740991, -1, 0, 9007199254740991]],
    ['f4', [1.5, -2.25, 0, 1e-3]],
    ['f8', [Math.PI, -1e300, 0, 5e-324]],
  ];
  it.each(cases)('%s keeps values and shape', (dtype, values) => {
    const bytes = encodeNpy(values, [2, 2], dtype);
    const back = decodeNpy(bytes);
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([2, 2]);
    expect(Array.from(back.data)).toEqual(dtype === 'f4' ? Array.from(Float32Array.from(values)) : values);
  });

  it('pads the header so the data starts on a 64-byte boundary', () => {
    const bytes = encodeNpy([1, 2, 3], [3], 'f8');
    const headerLen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLen))).toContain("'shape': (3,)");
  });

  it('reads files written by numpy (np.save and np.savez_compressed)', () => {
    // np.save(np.array([[1.5, -2], [3, 4.25]], dtype='<f4')) and np.save(np.array([0, 1, 2, 9])) (int64)
    const f4 = decodeNpy(
      b64(
        'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIhA',
      ),
    );
    expect(f4.shape).toEqual([2, 2]);
    expect(Array.from(f4.data)).toEqual([1.5, -2, 3, 4.25]);
    const i8 = decodeNpy(
      b64(
        'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAAJAAAAAAAAAA==',
      ),
    );
    expect(Array.from(i8.data)).toEqual([0, 1, 2, 9]);
    // np.savez_compressed(x=np.arange(12, dtype=uint8).reshape(3, 2, 2) * 20, y=np.array([1, 0, 1])) — zip64 entries
    const npz = decodeNpz(
      b64(
        'UEsDBC0AAAAIAAAAIQBEBHbF//////////8FABQAeC5ucHkBABAAjAAAAAAAAABUAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6CkZApKmjUKtAHuBiENGwCUip6Fmw5cQdAFBLAwQtAAAACAAAACEAorPQS///////////BQAUAHkubnB5AQAQAJgAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RrGOpo6CrUKFAAuRgZUAOMDAFBLAQItAy0AAAAIAAAAIQBEBHbFVAAAAIwAAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLAQItAy0AAAAIAAAAIQCis9BLSgAAAJgAAAAFAAAAAAAAAAAAAACAAYsAAAB5Lm5weVBLBQYAAAAAAgACAGYAAAAMAQAAAAA=',
      ),
    );
    expect(npz.x!.shape).toEqual([3, 2, 2]);
    expect(Array.from(npz.x!.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    expect(Array.from(npz.y!.data)).toEqual([1, 0, 1]);
  });

  it('rejects big-endian, Fortran order and files that are not npy', () => {
    const big = encodeNpy([1], [1], 'f4');
    big.set(new TextEncoder().encode('>'), 10 + "{'descr': '".length);
    expect(thrown(() => decodeNpy(big, 'a.npy'))).toBe('a.npy: big-endian dtype >f4 is not supported');
    const fortran = encodeNpy([1, 2, 3, 4], [2, 2], 'f4');
    fortran.set(new TextEncoder().encode("'fortran_order': True, "), 10 + "{'descr': '<f4', ".length);
    expect(thrown(() => decodeNpy(fortran, 'b.npy'))).toMatch(/^b\.npy: Fortran-order arrays are not supported/);
    expect(thrown(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'c.npy'))).toMatch(/^c\.npy: not a \.npy file/);
  });
});

describe('parseDataset on npz and npy', () => {
  it('turns uint8 N×H×W images into [h, w, 1] samples scaled to [0, 1]', () => {
    const x = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => (i * 10) % 256);
    const bytes = encodeNpz({ x: { data: x, shape: [4, 3, 2], dtype: 'u1' }, y: { data: [3, 1, 3, 7], shape: [4], dtype: 'u1' } });
    const parsed = parseDataset(spec({ task: 'multiclass' }), bytes);
    const info = datasetInfo(parsed);
    expect(info.inputShape).toEqual([3, 2, 1]);
    expect(info.classes).toEqual(['1', '3', '7']);
    expect(info.targetDim).toBe(3);
    expect(parsed.kind === 'array' && Array.from(parsed.y)).toEqual([1, 0, 1, 2]);
    expect(parsed.kind === 'array' && parsed.x[5]).toBeCloseTo(50 / 255, 6);
  });

  it('reads named arrays and N×H×W×C float inputs from npz, labels from a separate npy', () => {
    const x = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i / 2);
    const npz = encodeNpz({ images: { data: x, shape: [2, 2, 2, 3], dtype: 'f4' }, labels: { data: [0, 1], shape: [2, 1], dtype: 'i8' } });
    const a = parseDataset(spec({ task: 'binary', inputs: 'images', target: 'labels' }), npz);
    expect(datasetInfo(a).inputShape).toEqual([2, 2, 3]);
    expect(a.kind === 'array' && Array.from(a.x)).toEqual(Array.from(x));

    const npySpec = datasetSchema.parse({ key: 'datasets/x.npy', format: 'npy', task: 'regression', labelsKey: 'datasets/y.npy' });
    const b = parseDataset(npySpec, encodeNpy(x, [2, 2, 2, 3], 'f4'), { labels: encodeNpy([0.5, 2.5], [2], 'f8') });
    expect(b.kind === 'array' && Array.from(b.y)).toEqual([0.5, 2.5]);
  });

  it('names the missing array, the mismatched labels and the missing labels file', () => {
    const npz = encodeNpz({ x: { data: [1, 2, 3, 4], shape: [2, 2], dtype: 'f4' }, y: { data: [0, 1, 1], shape: [3], dtype: 'u1' } });
    expect(thrown(() => parseDataset(spec({ task: 'binary', target: 'labels' }), npz))).toBe('dataset.target: array "labels" is not in datasets/d.npz (arrays: x, y)');
    expect(thrown(() => parseDataset(spec({ task: 'binary' }), npz))).toBe('datasets/d.npz: y: has 3 rows, the inputs have 2');
    const npySpec = datasetSchema.parse({ key: 'datasets/x.npy', format: 'npy', task: 'binary', labelsKey: 'datasets/y.npy' });
    expect(thrown(() => parseDataset(npySpec, encodeNpy([1, 2], [2, 1], 'f4')))).toMatch(/^dataset\.labelsKey:/);
    const zip = zipSync({ 'x.npy': new Uint8Array([1, 2, 3]) });
    expect(thrown(() => parseDataset(spec({ task: 'binary' }), zip))).toMatch(/^datasets\/d\.npz: x\.npy: not a \.npy file/);
  });

  it('refuses binary labels with more than two values', () => {
    const npz = encodeNpz({ x: { data: [1, 2, 3], shape: [3, 1], dtype: 'f4' }, y: { data: [0, 1, 2], shape: [3], dtype: 'u1' } });
    expect(thrown(() => parseDataset(spec({ task: 'binary' }), npz))).toBe('datasets/d.npz: y: labels have 3 distinct values; binary needs exactly two');
  });
});
