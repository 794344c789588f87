/**
 * The bundled examples' data, put into a store as if a user had uploaded it. Everything comes from npm
 * packages (no download at run time):
 *
 *  - datasets/seattle-weather.csv (vega-datasets): will it rain tomorrow? One row per day with that
 *    day's measurements, its month, the previous day's measurements (`*_prev`) and the target
 *    `rain_tomorrow` = 1 when the next day's precipitation is above 0 mm (a measurement, rather than
 *    the `weather` label, which calls some wet days "drizzle" or "snow"). `weather` stays a string
 *    column and is one-hot encoded. The first and the last day have no previous/next day and are left out.
 *  - datasets/mnist.npz (mnist): the package's 10,000 digits as `x` (uint8, N×28×28) and `y` (uint8
 *    labels), in a seeded shuffled order.
 *  - datasets/co2-concentration.csv (vega-datasets): monthly Mauna Loa CO2 (Date, CO2, adjusted CO2)
 *    and the month-over-month changes of both (see co2Csv), for the LSTM forecast.
 *
 * Run as a script: `tsx examples/prepare.ts [store]` (default: the embedded local store).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeNpz } from '../src/data/npy.js';
import { rng } from '../src/random.js';
import { parseSweepText } from '../src/sweep/load.js';
import type { SweepSpec } from '../src/sweep/schema.js';
import type { Store } from '../src/store/store.js';

export const EXAMPLE_DATASETS = {
  seattleWeather: 'datasets/seattle-weather.csv',
  mnist: 'datasets/mnist.npz',
  co2: 'datasets/co2-concentration.csv',
} as const;

const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));

/** The example sweep files, by name. */
export const EXAMPLE_SWEEPS = {
  'seattle-weather': join(EXAMPLES_DIR, 'seattle-weather.json'),
  mnist: join(EXAMPLES_DIR, 'mnist.json'),
  co2: join(EXAMPLES_DIR, 'co2.json'),
} as const;
export type ExampleSweep = keyof typeof EXAMPLE_SWEEPS;

/** Read and validate one of the example sweeps. */
export async function loadExampleSweep(name: ExampleSweep): Promise<SweepSpec> {
  const path = EXAMPLE_SWEEPS[name];
  return parseSweepText(await readFile(path, 'utf8'), path);
}

/** The directory of an installed package (works for packages whose `exports` hide package.json). */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    const entry = require.resolve(name);
    const at = entry.lastIndexOf(`${join('node_modules', name)}`);
    if (at < 0) throw new Error(`cannot locate the ${name} package (resolved ${entry})`);
    return entry.slice(0, at + join('node_modules', name).length);
  }
}

/** Seattle weather (date,precipitation,temp_max,temp_min,wind,weather) → the "rain tomorrow" table. */
export function seattleWeatherCsv(source: string): string {
  const lines = source.trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`seattle-weather.csv: no ${name} column`);
    return i;
  };
  const [date, precipitation, tempMax, tempMin, wind, weather] = ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather'].map(col) as [number, number, number, number, number, number];
  const days = lines
    .slice(1)
    .map((l) => l.split(','))
    .sort((a, b) => (a[date]! < b[date]! ? -1 : a[date]! > b[date]! ? 1 : 0));
  const out = ['date,month,precipitation,temp_max,temp_min,wind,weather,precipitation_prev,temp_max_prev,temp_min_prev,wind_prev,rain_tomorrow'];
  for (let t = 1; t < days.length - 1; t++) {
    const [prev, day, next] = [days[t - 1]!, days[t]!, days[t + 1]!];
    const month = Number(day[date]!.slice(5, 7));
    const rainTomorrow = Number(next[precipitation]) > 0 ? 1 : 0;
    out.push([day[date], month, day[precipitation], day[tempMax], day[tempMin], day[wind], day[weather], prev[precipitation], prev[tempMax], prev[tempMin], prev[wind], rainTomorrow].join(','));
  }
  return `${out.join('\n')}\n`;
}

/**
 * Mauna Loa CO2 (Date,CO2,adjusted CO2) plus each month's change from the month before. The level
 * climbs out of any training period's range, so a network standardised on the past extrapolates badly;
 * the changes are stationary (a seasonal cycle on a slow drift), and an error in next month's change is
 * the same error in next month's level. Where the record skips months the change is left empty (a
 * missing value: those rows are dropped).
 */
export function co2Csv(source: string): string {
  const lines = source.trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  if (header.join(',') !== 'Date,CO2,adjusted CO2') throw new Error(`co2-concentration.csv: unexpected header ${lines[0]}`);
  const rows = lines.slice(1).map((l) => l.split(','));
  const month = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
  const change = (now: string, before: string) => (Number(now) - Number(before)).toFixed(2);
  const out = ['Date,CO2,adjusted CO2,CO2 change,adjusted CO2 change'];
  rows.forEach(([date, co2, adjusted], i) => {
    const prev = rows[i - 1];
    const next = prev !== undefined && month(date!) - month(prev[0]!) === 1;
    out.push([date, co2, adjusted, next ? change(co2!, prev[1]!) : '', next ? change(adjusted!, prev[2]!) : ''].join(','));
  });
  return `${out.join('\n')}\n`;
}

const MNIST_SIZE = 28 * 28;

/** The mnist package's digits (one array of 0..1 pixels per digit class) → an .npz with x and y. */
export function mnistNpz(perDigit: number[][], seed = 0): Uint8Array {
  const samples: [digit: number, index: number][] = [];
  perDigit.forEach((raw, digit) => {
    for (let i = 0; i < Math.floor(raw.length / MNIST_SIZE); i++) samples.push([digit, i]);
  });
  const random = rng(seed);
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [samples[i], samples[j]] = [samples[j]!, samples[i]!];
  }
  const x = new Uint8Array(samples.length * MNIST_SIZE);
  const y = new Uint8Array(samples.length);
  samples.forEach(([digit, index], s) => {
    const raw = perDigit[digit]!;
    for (let p = 0; p < MNIST_SIZE; p++) x[s * MNIST_SIZE + p] = Math.round(raw[index * MNIST_SIZE + p]! * 255);
    y[s] = digit;
  });
  return encodeNpz({
    x: { data: x, shape: [samples.length, 28, 28], dtype: 'u1' },
    y: { data: y, shape: [samples.length], dtype: 'u1' },
  });
}

async function readMnistDigits(): Promise<number[][]> {
  const dir = join(packageDir('mnist'), 'src', 'digits');
  return Promise.all(Array.from({ length: 10 }, async (_, d) => (JSON.parse(await readFile(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data));
}

/** Write the example datasets that are not in the store yet; returns the keys written. */
export async function prepareExamples(store: Store): Promise<string[]> {
  const vega = join(packageDir('vega-datasets'), 'data');
  const makers: [key: string, contentType: string, make: () => Promise<Uint8Array | string>][] = [
    [EXAMPLE_DATASETS.seattleWeather, 'text/csv', async () => seattleWeatherCsv(await readFile(join(vega, 'seattle-weather.csv'), 'utf8'))],
    [EXAMPLE_DATASETS.co2, 'text/csv', async () => co2Csv(await readFile(join(vega, 'co2-concentration.csv'), 'utf8'))],
    [EXAMPLE_DATASETS.mnist, 'application/octet-stream', async () => mnistNpz(await readMnistDigits())],
  ];
  const written: string[] = [];
  for (const [key, contentType, make] of makers) {
    if (await store.exists(key)) continue;
    await store.put(key, await make(), contentType);
    written.push(key);
  }
  return written;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  const { openStore } = await import('../src/store/open.js');
  const store = openStore(process.argv[2]);
  const written = await prepareExamples(store);
  process.stdout.write(written.length ? `wrote ${written.join(', ')} to ${store.location}\n` : `the example datasets are already in ${store.location}\n`);
}
