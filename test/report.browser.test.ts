/**
 * report.html opens in a real browser with the network off: headless Chromium (Debian's `chromium`)
 * loads the file, every request other than the file itself is aborted (and counted), every chart's
 * SVG has drawn marks, the console stays free of errors, and a screenshot is kept in
 * test-artifacts/report.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPageKey, writeRunReport } from '../src/report/index.js';
import { LocalStore } from '../src/store/local.js';
import { around, craftedRun } from './fixtures/report/run.js';
import { makeDoc } from './fixtures/report/factory.js';

const CHROMIUM = process.env['LAYERBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface ChartCheck {
  name: string | null;
  width: number;
  height: number;
  /** Drawn elements (path, rect, line, text) inside vega's mark groups, by mark type. */
  marks: Record<string, number>;
}

// CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')(`report.html in headless Chromium (${CHROMIUM})`, () => {
  let dir: string;
  let context: BrowserContext;
  let root: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layerbench-browser-'));
    root = join(dir, 'store');
    const store = new LocalStore(root);
    const { spec, docs, extras } = craftedRun('run-1');
    await writeRunReport(store, 'run-1', spec, docs, { extras });
    // A second night, so the history page has a line and a change of winner.
    const next = docs.map((d) =>
      d.status === 'succeeded'
        ? makeDoc({ runId: 'run-2', depth: d.candidate.depth, width: d.candidate.width, values: around(d.candidate.depth === 3 && d.candidate.width === 16 ? 0.85 : 0.82), finishedAt: '2026-03-02T02:05:00.000Z' })
        : d,
    );
    await writeRunReport(store, 'run-2', spec, next);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1200, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(file: string) {
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const blocked: string[] = [];
    const consoleErrors: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    const charts: ChartCheck[] = await page.$$eval('figure.chart, div.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks: Record<string, number> = {};
        for (const g of Array.from(svg?.querySelectorAll('g.role-mark') ?? [])) {
          const type = Array.from(g.classList).find((c) => c.startsWith('mark-'))?.slice(5) ?? '?';
          const drawn = g.querySelectorAll(':scope > path, :scope > rect, :scope > line, :scope > text, :scope > g > path, :scope > g > rect').length;
          marks[type] = (marks[type] ?? 0) + drawn;
        }
        return { name: f.getAttribute('data-chart'), width: box?.width ?? 0, height: box?.height ?? 0, marks };
      }),
    );
    return { page, blocked, consoleErrors, charts };
  }

  it('renders every chart with marks, fetches nothing and logs no error', async () => {
    const { page, blocked, consoleErrors, charts } = await open(join(root, 'runs', 'run-1', 'report.html'));
    try {
      expect(charts.map((c) => c.name)).toEqual(['heatmap', 'pareto', 'curves', 'time']);
      for (const c of charts) {
        expect(c.width, `${c.name} width`).toBeGreaterThan(100);
        expect(c.height, `${c.name} height`).toBeGreaterThan(100);
      }
      const byName = Object.fromEntries(charts.map((c) => [c.name, c.marks]));
      // 9 grid cells: 8 coloured (ranked) + 1 failed, each with its label.
      expect(byName['heatmap']!['rect']).toBe(9);
      expect(byName['heatmap']!['text']).toBe(9);
      // 8 candidates as points (+ the ring round the recommendation) and the front as one line;
      // 8 interval rules and the baseline's rule.
      expect(byName['pareto']!['symbol']).toBe(9);
      expect(byName['pareto']!['line']).toBe(1);
      expect(byName['pareto']!['rule']).toBe(9);
      // 4 leading candidates × (training + validation) × (metric + loss) lines; the mean best epoch
      // in both rows (8 rules) and the baseline in the metric row (4 rules).
      expect(byName['curves']!['line']).toBe(16);
      expect(byName['curves']!['rule']).toBe(12);
      // One bar per candidate, failed included.
      expect(byName['time']!['rect']).toBe(9);

      const answer = await page.locator('section.answer .headline').innerText();
      expect(answer).toBe('Use depth 2 and width 32: 2 hidden layers, 32 units each (1,441 parameters).');
      expect(await page.locator('#failures tbody tr').count()).toBe(1);

      await mkdir('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/report.png', fullPage: true });
      expect(blocked).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('renders the history page chart offline', async () => {
    const { page, blocked, consoleErrors, charts } = await open(join(root, ...historyPageKey('crafted').split('/')));
    try {
      expect(charts).toHaveLength(1);
      expect(charts[0]!.marks['symbol']).toBe(2);
      expect(charts[0]!.marks['line']).toBe(1);
      // The winner changed on the second night: one dashed rule (+ the two ± se rules).
      expect(charts[0]!.marks['rule']).toBe(3);
      await page.screenshot({ path: 'test-artifacts/history.png', fullPage: true });
      expect(blocked).toEqual([]);
      expect(consoleErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
