/**
 * The prepared dataset: a parsed dataset (dataset.ts) in a compact binary form, so that a Train task
 * reads its samples instead of reading and parsing the CSV (or NPY/NPZ) again. Plan writes it once per
 * dataset version, at `prepared/<hash>.bin`, where the hash covers the dataset spec, the content version
 * of the files it reads and this format: equal inputs, one object, shared by every run and candidate
 * that reads them. Nothing fitted is in it — preprocessing is learned per split on that split's
 * training rows (split.ts), from this parse.
 *
 * Layout: the bytes "LBDS", a uint32 (little-endian) header length, the JSON header
 * (`layerbench.prepared.v1`) in which every typed array is a reference `{ "$a": [type, offset, length] }`
 * into the data and every non-finite number `{ "$n": "NaN" | "Infinity" | "-Infinity" }`, zero padding
 * to 8 bytes, then the arrays, each at an offset aligned to its element size. Images read as uint8 are
 * kept as their bytes (4× smaller than their float32 values) and scaled again when read, exactly as
 * parsing scaled them.
 */
import { createHash } from 'node:crypto';
import { LayerbenchError } from '../errors.js';
import { canonicalJson } from '../sweep/candidate.js';
import { keys } from '../store/keys.js';
import type { DatasetSpec } from '../sweep/schema.js';
import { scaledSamples } from './arrays.js';
import type { ArrayDataset, ParsedDataset } from './dataset.js';

export const PREPARED_SCHEMA = 'layerbench.prepared.v1' as const;
/** Raised whenever parsing changes what it produces, so that an object prepared by older code is not read as current. */
const PARSE_REVISION = 1;
const MAGIC = 'LBDS';

/** The store key of a dataset's prepared form: a hash of everything the parse depends on. */
export function preparedKey(ds: DatasetSpec, version: string): string {
  const hash = createHash('sha256')
    .update(canonicalJson({ format: PREPARED_SCHEMA, revision: PARSE_REVISION, dataset: ds, version }))
    .digest('hex');
  return keys.prepared(hash.slice(0, 32));
}

type ArrayType = 'f64' | 'f32' | 'i32' | 'u8';
const ARRAYS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;
type Typed = Float64Array | Float32Array | Int32Array | Uint8Array;

function typeOf(value: unknown): ArrayType | undefined {
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Uint8Array) return 'u8';
  return undefined;
}

/** uint8 image bytes when `x` is exactly bytes × scale (as parsing made it), else undefined. */
function imageBytes(d: ArrayDataset): Uint8Array | undefined {
  if (d.dtype !== 'u1' || d.scale === 1) return undefined;
  const bytes = new Uint8Array(d.x.length);
  const check = new Float32Array(1);
  for (let i = 0; i < d.x.length; i++) {
    const b = Math.round(d.x[i]! / d.scale);
    check[0] = b * d.scale;
    if (b < 0 || b > 255 || check[0] !== d.x[i]) return undefined;
    bytes[i] = b;
  }
  return bytes;
}

/** The parsed dataset as one binary object. */
export function encodePrepared(parsed: ParsedDataset): Uint8Array {
  const bytes = parsed.kind === 'array' ? imageBytes(parsed) : undefined;
  const dataset = bytes ? { ...parsed, x: undefined, xBytes: bytes } : parsed;
  const arrays: Typed[] = [];
  let at = 0;
  const header = JSON.stringify({ schema: PREPARED_SCHEMA, dataset }, (_key, value: unknown) => {
    const type = typeOf(value);
    if (type) {
      const a = value as Typed;
      at = Math.ceil(at / a.BYTES_PER_ELEMENT) * a.BYTES_PER_ELEMENT;
      const ref = { $a: [type, at, a.length] };
      arrays.push(a);
      at += a.byteLength;
      return ref;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { $n: String(value) };
    return value;
  });
  const head = new TextEncoder().encode(header);
  const dataAt = align8(8 + head.length);
  const out = new Uint8Array(dataAt + at);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  let offset = 0;
  for (const a of arrays) {
    offset = Math.ceil(offset / a.BYTES_PER_ELEMENT) * a.BYTES_PER_ELEMENT;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataAt + offset);
    offset += a.byteLength;
  }
  return out;
}

/** A parsed dataset from its prepared bytes; an error naming `where` when they are not one. */
export function decodePrepared(bytes: Uint8Array, where: string): ParsedDataset {
  const bad = (why: string) => new LayerbenchError(`${where}: not a ${PREPARED_SCHEMA} dataset (${why})`, { code: 'E_PREPARED', kind: 'fatal' });
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw bad('no LBDS header');
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const dataAt = align8(8 + headLength);
  if (dataAt > bytes.length) throw bad('truncated');
  // One aligned copy of the data: every array is a view of it.
  const data = bytes.slice(dataAt).buffer;
  let parsed: { schema?: unknown; dataset?: Record<string, unknown> };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength)), (_key, value: unknown) => {
      if (value === null || typeof value !== 'object') return value;
      const ref = (value as { $a?: unknown }).$a;
      if (Array.isArray(ref) && ref.length === 3) {
        const [type, offset, length] = ref as [ArrayType, number, number];
        const Ctor = ARRAYS[type];
        if (!Ctor || !(offset >= 0 && length >= 0 && offset % Ctor.BYTES_PER_ELEMENT === 0 && offset + length * Ctor.BYTES_PER_ELEMENT <= data.byteLength)) {
          throw new Error(`array ${JSON.stringify(ref)} outside the data`);
        }
        return new Ctor(data, offset, length);
      }
      const n = (value as { $n?: unknown }).$n;
      if (typeof n === 'string') return Number(n);
      return value;
    });
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (parsed.schema !== PREPARED_SCHEMA || !parsed.dataset) throw bad(`schema ${JSON.stringify(parsed.schema)}`);
  const d = parsed.dataset;
  if (d['kind'] !== 'tabular' && d['kind'] !== 'series' && d['kind'] !== 'array') throw bad(`kind ${JSON.stringify(d['kind'])}`);
  if (d['kind'] === 'array' && d['xBytes'] instanceof Uint8Array) {
    const { xBytes, ...rest } = d as unknown as ArrayDataset & { xBytes: Uint8Array };
    const size = rest.sampleShape.reduce((a, b) => a * b, 1);
    const all = Int32Array.from({ length: rest.rows }, (_, i) => i);
    return { ...rest, x: scaledSamples({ data: xBytes, shape: [rest.rows, ...rest.sampleShape], dtype: 'u1' }, all, size, rest.scale) };
  }
  return d as unknown as ParsedDataset;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
