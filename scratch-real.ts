import { readFileSync } from 'node:fs';
import { parseDataset } from './src/data/parse.js';
import { dataSummary } from './src/data/summary.js';
import { dataBlock } from './src/report/data-text.js';
import { sweepSpecSchema } from './src/sweep/schema.js';
const dir = 'node_modules/vega-datasets/data/';
const cases: [string, string, string][] = [
  ['la-riots.csv', 'regression', 'age'],
  ['birdstrikes.csv', 'regression', 'Speed IAS in knots'],
  ['stocks.csv', 'regression', 'price'],
  ['github.csv', 'regression', 'count'],
  ['seattle-weather-hourly-normals.csv', 'regression', 'temperature'],
  ['weather.csv', 'multiclass', 'weather'],
  ['airports.csv', 'regression', 'latitude'],
  ['zipcodes.csv', 'regression', 'latitude'],
  ['disasters.csv', 'regression', 'Deaths'],
  ['iowa-electricity.csv', 'regression', 'net_generation'],
];
for (const [file, task, target] of cases) {
  const spec = sweepSpecSchema.parse({ name: 'x', dataset: { key: file, task, target }, model: { family: 'dense', depth: [1], width: [2] } });
  try {
    const t = performance.now();
    const p = parseDataset(spec.dataset, readFileSync(dir + file));
    const d = dataSummary(p, spec);
    console.log(`== ${file} (${(performance.now() - t).toFixed(0)} ms)`);
    console.log(dataBlock(d));
    if (d.columns) console.log('  roles:', d.columns.map((c) => `${c.name}=${c.role}${c.order ? '*' : ''}`).join(', '));
  } catch (e) {
    console.log(`== ${file}: ${(e as Error).message}`);
  }
}
