/**
 * A real but tiny sweep for the deploy tests: the first rows of vega-datasets' seattle-weather.csv
 * (weather class from precipitation, temperatures and wind), a dense network of depth 1 and widths
 * 4 and 8 — two candidates — trained for 2 epochs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from '../../examples/prepare.js';
import type { SweepSpecInput } from '../../src/sweep/schema.js';

export const TINY_DATASET_KEY = 'datasets/seattle-weather-tiny.csv';
export const TINY_SWEEP_KEY = 'sweeps/tiny-weather.json';

/** Header and the first `rows` days of Seattle weather, 2012. */
export function tinyWeatherCsv(rows = 160): string {
  const csv = readFileSync(join(packageDir('vega-datasets'), 'data', 'seattle-weather.csv'), 'utf8');
  return `${csv
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .slice(0, rows + 1)
    .join('\n')}\n`;
}

export const tinySweep: SweepSpecInput = {
  name: 'tiny-weather',
  description: 'deploy tests: 2 candidates, 2 epochs',
  dataset: {
    key: TINY_DATASET_KEY,
    task: 'multiclass',
    target: 'weather',
    features: ['precipitation', 'temp_max', 'temp_min', 'wind'],
  },
  model: { family: 'dense', depth: [1], width: [4, 8] },
  training: { epochs: 2, batchSize: 16, seed: 7 },
  evaluation: { strategy: 'holdout', validationSplit: 0.25 },
};

/** `a,b,label`: two seeded uniform columns and label 1 where a + b > 1 — a separable binary table of any size. */
export function separableCsv(rows: number, seed: number): string {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = ['a,b,label'];
  for (let i = 0; i < rows; i++) {
    const [a, b] = [r(), r()];
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${a + b > 1 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `a,b,y`: 80 rows on a 9 × 7 grid, y = 1 where a + b > 1 — a small learnable binary table for the CLI tests (`datasets/ab.csv`). */
export function gridCsv(): string {
  const rows = Array.from({ length: 80 }, (_, i) => {
    const a = (i % 9) / 9;
    const b = ((i * 5) % 7) / 7;
    return `${a.toFixed(3)},${b.toFixed(3)},${a + b > 1 ? 1 : 0}`;
  });
  return `a,b,y\n${rows.join('\n')}\n`;
}

/** Two dense candidates (depth 1 and 2, width 4) on gridCsv, 2 epochs. */
export const gridSweep = {
  name: 'tiny',
  dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'y' },
  model: { family: 'dense', depth: [1, 2], width: [4] },
  training: { epochs: 2, batchSize: 16 },
};
