import { describe, expect, it } from 'vitest';
import { expandCandidates, searchPoints } from '../src/search/candidates.js';
import { canonicalJson, layerUnits } from '../src/sweep/candidate.js';
import { parseSweep } from '../src/sweep/load.js';

const base = {
  name: 'weather',
  dataset: { key: 'datasets/weather.csv', task: 'binary', target: 'rain' },
  model: { family: 'dense', depth: [1, 2, 3], width: [8, 16, 32, 64] },
};

describe('candidates', () => {
  it('expands a grid into one candidate per depth × width point', () => {
    const cands = expandCandidates(parseSweep(base), 'v1');
    expect(cands).toHaveLength(12);
    expect(cands.map((c) => `${c.depth}x${c.width}`)).toContain('3x64');
    expect(cands[0]).toMatchObject({ family: 'dense', depth: 1, width: 8, units: [8], metric: 'accuracy', seed: 42 });
  });

  it('gives the same candidate the same id, every time', () => {
    const a = expandCandidates(parseSweep(base), 'v1');
    const b = expandCandidates(parseSweep(structuredClone(base)), 'v1');
    expect(b.map((c) => c.id)).toEqual(a.map((c) => c.id));
  });

  it('gives distinct candidates distinct ids', () => {
    const ids = expandCandidates(parseSweep(base), 'v1').map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^dense-d1-w8-[0-9a-f]{10}$/);
  });

  it('changes the id when the data version, the seed or a training setting changes', () => {
    const id = (spec: unknown, version = 'v1') => expandCandidates(parseSweep(spec), version)[0]!.id;
    const original = id(base);
    expect(id(base, 'v2')).not.toBe(original);
    expect(id({ ...base, training: { seed: 7 } })).not.toBe(original);
    expect(id({ ...base, training: { epochs: 5 } })).not.toBe(original);
    expect(id({ ...base, model: { ...base.model, dropout: 0.2 } })).not.toBe(original);
  });

  it('keeps the id when only the sweep name or the dataset location changes', () => {
    const id = (spec: unknown) => expandCandidates(parseSweep(spec), 'v1')[0]!.id;
    expect(id({ ...base, name: 'renamed' })).toBe(id(base));
    expect(id({ ...base, dataset: { ...base.dataset, key: 's3://bucket/datasets/weather.csv' } })).toBe(id(base));
  });

  it('resolves width patterns per layer, as in the seed examples', () => {
    expect(layerUnits(2, 64, 'halving')).toEqual([64, 32]);
    expect(layerUnits(2, 32, 'doubling')).toEqual([32, 64]);
    expect(layerUnits(3, 16, 'constant')).toEqual([16, 16, 16]);
    expect(layerUnits(4, 2, 'halving')).toEqual([2, 1, 1, 1]);
  });

  it('draws a seeded random subset without repeats', () => {
    const spec = parseSweep({ ...base, search: { strategy: 'random', count: 5, seed: 3 } });
    const points = searchPoints(spec);
    expect(points).toHaveLength(5);
    expect(new Set(points.map((p) => `${p.depth}x${p.width}`)).size).toBe(5);
    expect(searchPoints(spec)).toEqual(points);
    expect(searchPoints(parseSweep({ ...base, search: { strategy: 'random', count: 5, seed: 4 } }))).not.toEqual(points);
  });

  it('hashes objects independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});
