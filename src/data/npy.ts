/**
 * NumPy `.npy` and `.npz` files: the array formats image datasets come in. We read and write the
 * little-endian, C-order subset (`np.save` / `np.savez` on any common machine): dtypes u1, i1, u2,
 * i2, i4, u4, i8, u8, f4, f8 and b1. An .npz is a zip of .npy files named `<array>.npy`.
 */
import { unzipSync, zipSync } from 'fflate';
import { DataError } from '../errors.js';

export const NPY_DTYPES = ['u1', 'i1', 'b1', 'u2', 'i2', 'u4', 'i4', 'f4', 'i8', 'u8', 'f8'] as const;
export type NpyDtype = (typeof NPY_DTYPES)[number];

export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** The values in C order. 64-bit integers are widened to Float64Array (exact below 2^53). */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const BYTES: Record<NpyDtype, number> = { u1: 1, i1: 1, b1: 1, u2: 2, i2: 2, u4: 4, i4: 4, f4: 4, i8: 8, u8: 8, f8: 8 };

function arrayFor(dtype: NpyDtype, buffer: ArrayBuffer): NpyData {
  switch (dtype) {
    case 'u1':
    case 'b1':
      return new Uint8Array(buffer);
    case 'i1':
      return new Int8Array(buffer);
    case 'u2':
      return new Uint16Array(buffer);
    case 'i2':
      return new Int16Array(buffer);
    case 'u4':
      return new Uint32Array(buffer);
    case 'i4':
      return new Int32Array(buffer);
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'i8':
      return Float64Array.from(new BigInt64Array(buffer), Number);
    case 'u8':
      return Float64Array.from(new BigUint64Array(buffer), Number);
  }
}

/** Parse one .npy file. `name` is used in messages (a store key, or `x.npy in datasets/a.npz`). */
export function decodeNpy(bytes: Uint8Array, name = 'npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${name}: not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`${name}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === 'True') throw new DataError(`${name}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const dtype = m?.[2] as NpyDtype | undefined;
  if (!m || !dtype || !(NPY_DTYPES as readonly string[]).includes(dtype)) {
    throw new DataError(`${name}: dtype ${JSON.stringify(descr)} is not supported (use one of ${NPY_DTYPES.join(', ')})`);
  }
  if (m[1] === '>' && BYTES[dtype] > 1) throw new DataError(`${name}: big-endian dtype ${descr} is not supported`);
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const shape = dims.map((d) => (/^\d+L?$/.test(d) ? Number.parseInt(d, 10) : Number.NaN));
  const bad = shape.findIndex((d) => !Number.isSafeInteger(d));
  if (bad >= 0) {
    throw new DataError(`${name}: shape (${dims.join(', ')}): dimension ${bad} is ${JSON.stringify(dims[bad])}, not a size (a whole number ≥ 0)`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const byteLength = count * BYTES[dtype];
  if (bytes.length - offset < byteLength) {
    throw new DataError(`${name}: truncated: shape (${shape.join(', ')}) needs ${byteLength} bytes of data, the file has ${bytes.length - offset}`);
  }
  // slice() copies into a fresh, aligned buffer.
  const buffer = bytes.slice(offset, offset + byteLength).buffer;
  return { dtype, shape, data: arrayFor(dtype, buffer) };
}

/** Write a .npy (format 1.0) file. Values are converted to the dtype. */
export function encodeNpy(array: ArrayLike<number>, shape: number[], dtype: NpyDtype): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (array.length !== count) throw new Error(`encodeNpy: ${array.length} values do not fill shape (${shape.join(', ')})`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const descr = `${BYTES[dtype] === 1 ? '|' : '<'}${dtype}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded with spaces to a multiple of 64.
  const unpadded = 10 + header.length + 1;
  header = `${header}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + count * BYTES[dtype]);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = out.subarray(10 + header.length);
  if (dtype === 'i8' || dtype === 'u8') {
    const big = dtype === 'i8' ? new BigInt64Array(count) : new BigUint64Array(count);
    for (let i = 0; i < count; i++) big[i] = BigInt(Math.trunc(array[i]!));
    body.set(new Uint8Array(big.buffer));
  } else {
    const typed = arrayFor(dtype, new ArrayBuffer(count * BYTES[dtype]));
    for (let i = 0; i < count; i++) typed[i] = array[i]!;
    body.set(new Uint8Array(typed.buffer));
  }
  return out;
}

export interface NpzEntry {
  data: ArrayLike<number>;
  shape: number[];
  dtype: NpyDtype;
}

/**
 * Write an .npz: each entry becomes `<name>.npy` in a deflated zip (like np.savez_compressed). The
 * same arrays always make the same bytes: every entry's zip timestamp is 1980-01-01 00:00 (zip's
 * epoch, in local time as zip stores it) rather than the clock, so a dataset's version — and every
 * candidate id made from it — does not change each time it is written.
 */
export function encodeNpz(record: Record<string, NpzEntry>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, e] of Object.entries(record)) files[`${name}.npy`] = encodeNpy(e.data, e.shape, e.dtype);
  return zipSync(files, { level: 6, mtime: new Date(1980, 0, 1) });
}

/** Read every array of an .npz, keyed by name without `.npy`. */
export function decodeNpz(bytes: Uint8Array, name = 'npz'): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new DataError(`${name}: not a readable .npz (zip) file (${(e as Error).message})`, e);
  }
  const out: Record<string, NpyArray> = {};
  for (const [file, content] of Object.entries(files)) {
    const key = file.endsWith('.npy') ? file.slice(0, -4) : file;
    out[key] = decodeNpy(content, `${name}: ${file}`);
  }
  return out;
}
