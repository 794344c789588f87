import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../src/store/store.js';
import { makeDoc } from './fixtures/report/factory.js';

/** [1, <hole>, 3]: JSON writes the hole as null. */
const holes: number[] = [];
holes[0] = 1;
holes[2] = 3;

const VALUES: [string, unknown][] = [
  ['an empty object', {}],
  ['a scalar', 3.5],
  ['null', null],
  ['a string with newlines and quotes', 'a\nb "c"\u2028'],
  ['a top-level array', [1, { a: [2, 3] }, []]],
  ['fields of every kind', { a: 1, b: 'x\ny', c: null, d: [], e: {}, f: [1, [2, [3]], { g: { h: [4] } }], skipped: undefined, fn: () => 1, date: new Date(0) }],
  ['arrays of objects, with holes and undefined', { rows: [{ a: 1, b: [1, 2] }, undefined, { c: { d: 'e\n' } }], sparse: holes }],
  ['only fields JSON leaves out', { a: undefined, b: () => 2 }],
  ['an object with toJSON', { toJSON: () => ({ x: 1 }) }],
  ['a candidate document', makeDoc({ depth: 3, width: 16, values: [0.8, 0.81, 0.79], epochs: 4 })],
  ['unicode keys', { 'ü\n"': [{ '€': 1 }] }],
];

describe('jsonBytes', () => {
  it.each(VALUES)('%s: the bytes of JSON.stringify(value, null, 2) and a newline', (_name, value) => {
    expect(jsonBytes(value).toString('utf8')).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });
});
