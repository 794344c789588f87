/**
 * The model card's "predict in a browser" snippet, run as written in headless Chromium: the page is the
 * card's ```html block, served with the final model's directory; the tfjs script it names on a CDN is
 * answered from node_modules (the network is otherwise off). What it logs must equal what
 * `loadPredictor` gives in Node for the card's own example row.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPredictor } from '../src/artifacts/predictor.js';
import { keys } from '../src/store/keys.js';
import { finalizedRun, lcg, type FinalizedRun } from './helpers/finalized-run.js';

const CHROMIUM = process.env['LAYERBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const TFJS = join(createRequire(import.meta.url).resolve('@tensorflow/tfjs'), '..', '..', 'dist', 'tf.min.js');

/** A regression table with a category and missing cells: y = x + 3·[c = "b"]. */
function csv(): string {
  const r = lcg(3);
  const rows = Array.from({ length: 80 }, () => {
    const x = r() * 4;
    const c = ['a', 'b', 'c'][Math.floor(r() * 3)]!;
    return `${r() < 0.1 ? 'NA' : x.toFixed(3)},${r() < 0.1 ? '' : c},${(x + (c === 'b' ? 3 : 0)).toFixed(3)}`;
  });
  return `x,c,y\n${rows.join('\n')}\n`;
}

describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')(`the model card's browser snippet in headless Chromium (${CHROMIUM})`, () => {
  let run: FinalizedRun;
  let browser: Browser;

  beforeAll(async () => {
    run = await finalizedRun({
      sweep: {
        name: 'shift',
        dataset: { key: 'datasets/shift.csv', task: 'regression', target: 'y' },
        model: { family: 'dense', depth: [1], width: [8] },
        training: { epochs: 5, batchSize: 16, learningRate: 0.02 },
        evaluation: { strategy: 'holdout', repeats: 1, metric: 'rmse' },
      },
      datasetKey: 'datasets/shift.csv',
      data: csv(),
      runId: 'shift-run',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (run) await rm(run.dir, { recursive: true, force: true });
  });

  it('loads model.json and preprocessing.json, prepares the example row as layerbench does, and predicts what Node predicts', async () => {
    const modelDir = join(run.dir, keys.finalModel(run.runId));
    const card = await readFile(join(modelDir, 'README.md'), 'utf8');
    const html = /```html\n([\s\S]*?)```/.exec(card)![1]!;
    const record = /predictor\.predictRecords\(\[(\{[^\n]*\})\]\)/.exec(card)![1]!;
    expect(html).toContain(`console.log(decode(await predict([${record}])));`);

    const page = await browser.newPage();
    const blocked: string[] = [];
    const errors: string[] = [];
    const logged: unknown[] = [];
    const origin = 'http://layerbench.test/model/';
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === `${origin}index.html`) return route.fulfill({ contentType: 'text/html', body: html });
      if (url === 'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js') return route.fulfill({ path: TFJS, contentType: 'text/javascript' });
      if (url.startsWith(origin)) return route.fulfill({ path: join(modelDir, url.slice(origin.length)) });
      blocked.push(url);
      return route.abort();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', async (m) => {
      if (m.type() === 'error') errors.push(m.text());
      if (m.type() === 'log') logged.push(await m.args()[0]!.jsonValue());
    });
    await page.goto(`${origin}index.html`);
    await expect.poll(() => logged.length + errors.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);

    const predictor = await loadPredictor(run.store, run.runId);
    try {
      const node = await predictor.predictRecords([new Function(`return (${record});`)() as Record<string, unknown>]);
      const browserValue = (logged[0] as number[][])[0]![0]!;
      expect(Math.abs(browserValue - (node.rows[0]![1] as number))).toBeLessThan(1e-5);
    } finally {
      predictor.dispose();
      await page.close();
    }
  });
});
