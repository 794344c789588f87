/**
 * How long deciding column roles and preparing a large table takes: a synthetic CSV of N rows
 * (default 200,000) with a row number, a name per row, free text, a categorical of 5,000 values (so
 * capped), a plain categorical, an hourly date column and four numbers — parsed (roles, dates,
 * order, signs; `csv` is the CSV reading alone, which `parse` includes), summarised with every split
 * (plan time), one fold fitted and encoded, the development rows encoded once more (a refit); `total`
 * is parse + summary + fold + refit. Median of --runs runs (default 5) in this process
 * after one warm-up, with the load average before and after: other work on the machine shows there.
 *
 *   npx tsx benchmarks/data-roles.ts [--rows 200000] [--runs 5] [--order auto|time|random]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readCsv } from '../src/data/csv.js';
import { parseDataset } from '../src/data/parse.js';
import { refitData, splitDataset } from '../src/data/split.js';
import { dataSummary } from '../src/data/summary.js';
import { sweepSpecSchema } from '../src/sweep/schema.js';
import { median } from './engine.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '5' }, order: { type: 'string', default: 'auto' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);

function table(n: number): Uint8Array {
  const words = ['rain', 'wind', 'sun', 'cloud', 'cold', 'warm', 'storm', 'calm'];
  const lines = ['id,name,note,shop,kind,when,a,b,c,d,y'];
  let s = 1;
  const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    const when = new Date(Date.UTC(2000, 0, 1, i)).toISOString().slice(0, 19);
    const note = Array.from({ length: 4 + Math.floor(r() * 6) }, () => words[Math.floor(r() * 8)]).join(' ');
    const a = r() * 10;
    lines.push(
      `${i + 1},person ${i},${note} ${i},shop ${Math.floor(r() ** 2 * 5000)},${words[i % 8]},${when},${a.toFixed(3)},${(r() * 5).toFixed(3)},${Math.floor(r() * 100)},${r() < 0.02 ? '' : (r() * 3).toFixed(2)},${(a + r()).toFixed(3)}`,
    );
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

const spec = sweepSpecSchema.parse({
  name: 'big',
  dataset: { key: 'big.csv', task: 'regression', target: 'y' },
  model: { family: 'dense', depth: [1], width: [8] },
  evaluation: { strategy: 'kfold', folds: 3, order: values.order },
});
const bytes = table(rows);

function once(): Record<string, number> {
  const c0 = performance.now();
  readCsv(bytes, 'big.csv'); // the CSV reading alone, which parsing includes
  const csv = performance.now() - c0;
  const t0 = performance.now();
  const parsed = parseDataset(spec.dataset, bytes);
  const t1 = performance.now();
  const summary = dataSummary(parsed, spec);
  const t2 = performance.now();
  const [fold] = splitDataset(parsed, spec.evaluation, spec.training.seed, 0);
  const t3 = performance.now();
  refitData(parsed, spec.evaluation, spec.training.seed);
  const t4 = performance.now();
  if (!fold || summary.columns === undefined) throw new Error('no fold or columns');
  return { csv, parse: t1 - t0, summary: t2 - t1, fold: t3 - t2, refit: t4 - t3, total: t4 - t0 };
}

const before = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const first = parseDataset(spec.dataset, bytes);
const s = dataSummary(first, spec);
console.log(
  `${rows.toLocaleString('en-US')} rows, ${(bytes.length / 2 ** 20).toFixed(1)} MiB; roles: ${s.columns!.map((c) => `${c.name} ${c.role}`).join(', ')}; order ${s.order!.kind} (${s.order!.reason})`,
);
once(); // warm-up
const timings = Array.from({ length: runs }, once);
const after = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
for (const k of ['csv', 'parse', 'summary', 'fold', 'refit', 'total']) {
  const xs = timings.map((t) => t[k]!);
  console.log(`${k.padEnd(8)} median ${(median(xs) / 1000).toFixed(2)} s  (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)}, ${runs} runs)`);
}
console.log(`load average before: ${before}; after: ${after}`);
