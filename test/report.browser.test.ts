/**
 * The report and history pages in a real browser, as a reader on a phone (375 px) and on a desktop
 * (1,024 px) sees them, with the network off: headless Chromium (Debian's `chromium`) loads every page
 * — runs in the shapes of the three examples, a run where everything failed, a 2,000-candidate sweep,
 * a history of one run and of two — aborts (and counts) every request other than the file itself, and
 * checks that the page does not scroll sideways and no element is wider than the screen, that the console stays free of errors, that every
 * chart it shows has drawn marks, and that chart text is at least 10 px as drawn. Screenshots are kept
 * in test-artifacts/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPageKey, writeRunReport } from '../src/report/index.js';
import { LocalStore } from '../src/store/local.js';
import { makeDoc } from './fixtures/report/factory.js';
import { around, craftedRun } from './fixtures/report/run.js';
import { allFailed, bigSweep, co2Like, mnistLike, type CraftedRun } from './fixtures/report/shapes.js';

const CHROMIUM = process.env['LAYERBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDTHS = [375, 1024] as const;
/** The smallest chart text a reader should have to read, in CSS pixels as drawn. */
const MIN_FONT_PX = 10;

interface ChartCheck {
  chart: string;
  /** Drawn elements inside vega's mark groups. */
  marks: number;
  /** The smallest text in the chart, in CSS pixels as drawn (font size × the SVG's scale). */
  minFontPx: number;
  /** `<title>`s: what shows on hover. */
  titles: number;
}

interface PageCheck {
  scrollWidth: number;
  viewport: number;
  /** Elements reaching past the screen's right edge (tag, class, where), outside boxes that scroll on purpose. */
  wider: string[];
  charts: ChartCheck[];
  blocked: string[];
  consoleErrors: string[];
}

// CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')(`report pages in headless Chromium (${CHROMIUM}), at 375 and 1024 px`, () => {
  let dir: string;
  let root: string;
  let browser: Browser;
  const pages: Record<string, string> = {};

  async function report(store: LocalStore, name: string, runId: string, run: CraftedRun): Promise<void> {
    await writeRunReport(store, runId, run.spec, run.docs, { extras: run.extras });
    pages[name] = join(root, 'runs', runId, 'report.html');
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layerbench-browser-'));
    root = join(dir, 'store');
    const store = new LocalStore(root);
    await report(store, 'seattle-like report', 'run-1', craftedRun('run-1'));
    // A second night, so the history has a line and a change of winner.
    const { spec, docs } = craftedRun('run-2');
    const next = docs.map((d) =>
      d.status === 'succeeded'
        ? makeDoc({
            runId: 'run-2',
            depth: d.candidate.depth,
            width: d.candidate.width,
            values: around(d.candidate.depth === 3 && d.candidate.width === 16 ? 0.85 : 0.82),
            finishedAt: '2026-03-02T02:05:00.000Z',
          })
        : d,
    );
    await writeRunReport(store, 'run-2', spec, next);
    pages['two-run history'] = join(root, ...historyPageKey(spec.name).split('/'));
    await report(store, 'mnist-like report', 'mnist-1', mnistLike('mnist-1'));
    pages['one-run history'] = join(root, ...historyPageKey('mnist-like').split('/'));
    await report(store, 'co2-like report', 'co2-1', co2Like('co2-1'));
    await report(store, 'all-failed report', 'failed-1', allFailed('failed-1'));
    await report(store, '2,000-candidate report', 'big-1', bigSweep('big-1'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function load(file: string, width: number): Promise<{ page: Page; check: PageCheck }> {
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width, height: 900 } });
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
    const measured = await page.evaluate(() => {
      const visible = (e: Element) => e.getBoundingClientRect().width > 0;
      const charts = Array.from(document.querySelectorAll('figure.chart svg'))
        .filter(visible)
        .map((svg) => {
          const s = svg as SVGSVGElement;
          const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
          const sizes = Array.from(s.querySelectorAll('text'))
            .filter((t) => (t.textContent ?? '').trim() !== '')
            .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
          let marks = 0;
          for (const g of Array.from(s.querySelectorAll('g.role-mark')))
            marks += g.querySelectorAll(':scope > path, :scope > rect, :scope > line, :scope > text, :scope > g > path, :scope > g > rect').length;
          const figure = s.closest('figure')!.getAttribute('data-chart') ?? '?';
          const panel = s.closest('[data-panel]')?.getAttribute('data-panel');
          return { chart: panel ? `${figure}/${panel}` : figure, marks, minFontPx: sizes.length ? Math.min(...sizes) : Infinity, titles: s.querySelectorAll('title').length };
        });
      const vw = document.documentElement.clientWidth;
      const wider = Array.from(document.querySelectorAll('body *'))
        .filter((e) => !e.closest('.scroll') && e.getBoundingClientRect().right > vw + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''} in #${e.closest('section')?.id ?? '?'}`);
      return { scrollWidth: document.documentElement.scrollWidth, viewport: vw, wider, charts };
    });
    return { page, check: { ...measured, blocked, consoleErrors } };
  }

  const cases = () => Object.keys(pages);

  it('every page fits the screen, draws every chart legibly, fetches nothing and logs no error', async () => {
    await mkdir('test-artifacts', { recursive: true });
    const expected = ['seattle-like report', 'two-run history', 'mnist-like report', 'one-run history', 'co2-like report', 'all-failed report', '2,000-candidate report'];
    expect(cases()).toEqual(expected);
    for (const name of cases()) {
      for (const width of WIDTHS) {
        const { page, check } = await load(pages[name]!, width);
        try {
          const where = `${name} at ${width} px`;
          expect(check.scrollWidth, `${where}: page width`).toBeLessThanOrEqual(check.viewport);
          expect(check.wider, `${where}: elements wider than the screen`).toEqual([]);
          expect(check.blocked, `${where}: requests`).toEqual([]);
          expect(check.consoleErrors, `${where}: console`).toEqual([]);
          // A run where everything failed has nothing to draw: it shows only the failures.
          if (name === 'all-failed report') expect(check.charts, `${where}: charts`).toEqual([]);
          else expect(check.charts.length, `${where}: charts`).toBeGreaterThan(0);
          for (const c of check.charts) {
            expect(c.marks, `${where}: ${c.chart} marks`).toBeGreaterThan(0);
            expect(c.minFontPx, `${where}: ${c.chart} smallest text`).toBeGreaterThanOrEqual(MIN_FONT_PX);
          }
          await page.screenshot({ path: `test-artifacts/${name.replace(/[^a-z0-9]+/gi, '-')}-${width}.png`, fullPage: width === 375 && !name.startsWith('2,000') });
        } finally {
          await page.close();
        }
      }
    }
  }, 120_000);

  it('shows the charts a reader asks for, with hover titles, in the layout that fits', async () => {
    const phone = await load(pages['seattle-like report']!, 375);
    const desk = await load(pages['seattle-like report']!, 1024);
    try {
      const names = (c: PageCheck) => c.charts.map((x) => x.chart);
      const expected = ['effects/effect-depth', 'effects/effect-width', 'heatmap', 'pareto', 'edge/latency', 'edge/size', ...Array.from({ length: 8 }, (_, i) => `curves/curves-${i}`), 'time'];
      // One drawing of each chart at either width: the phone gets the narrow one, the desktop the wide one.
      expect(names(phone.check)).toEqual(expected);
      expect(names(desk.check)).toEqual(expected);
      const heat = (c: PageCheck) => c.charts.find((x) => x.chart === 'heatmap')!;
      // 8 ranked cells and a failed one: each with its hover title.
      expect(heat(phone.check).titles).toBe(9);
      expect(heat(desk.check).titles).toBe(9);
      // 8 candidates and their 40 trials on the parameter chart, and the baseline's rule when it is drawn.
      expect(desk.check.charts.find((x) => x.chart === 'pareto')!.titles).toBeGreaterThanOrEqual(48);
      // A link to the history page that exists.
      const href = await phone.page.locator('nav.links a', { hasText: 'History of this sweep' }).getAttribute('href');
      expect(existsSync(join(root, 'runs', 'run-1', ...href!.split('/')))).toBe(true);
    } finally {
      await phone.page.close();
      await desk.page.close();
    }
  });

  it('the leaderboard: every priority column on a desktop, a card per candidate on a phone, the recommendation in the first screen', async () => {
    for (const name of ['seattle-like report', '2,000-candidate report']) {
      for (const width of WIDTHS) {
        const { page } = await load(pages[name]!, width);
        const where = `${name} at ${width} px`;
        try {
          const seen = await page.evaluate(() => {
            const vw = document.documentElement.clientWidth;
            const vh = window.innerHeight;
            const shown = (e: Element | null) => {
              if (!e) return false;
              const r = e.getBoundingClientRect();
              return r.width > 0 && r.height > 0 && r.left >= -0.5 && r.right <= vw + 0.5 && getComputedStyle(e).visibility !== 'hidden';
            };
            const table = document.querySelector('#leaderboard table.lb')!;
            const rows = Array.from(table.querySelectorAll('tr.cand:not(.baseline)'));
            const rec = document.querySelector('#answer tr.recommended') ?? document.querySelector('#answer tr.best');
            return {
              tableFits: table.getBoundingClientRect().width <= table.parentElement!.getBoundingClientRect().width + 0.5,
              headers: Array.from(table.querySelectorAll('thead th'))
                .filter(shown)
                .map((th) => (th.textContent ?? '').replace(/\s+/g, ' ').trim()),
              rows: rows.length,
              // A row shows its shape, its score with the interval, and its verdict, each on the screen.
              complete: rows.filter((r) => ['td.cand-name', 'td.score .mean', 'td.score .ci', 'td.verdict .tag'].every((sel) => shown(r.querySelector(sel)))).length,
              recommended: rec
                ? { text: rec.querySelector('td.cand-name')?.textContent ?? '', top: rec.getBoundingClientRect().top, bottom: rec.getBoundingClientRect().bottom, shown: shown(rec) }
                : null,
              vh,
            };
          });
          expect(seen.tableFits, `${where}: leaderboard within its column`).toBe(true);
          expect(seen.rows, `${where}: rows`).toBeGreaterThan(0);
          expect(seen.complete, `${where}: rows with shape, score ± interval and verdict on screen`).toBe(seen.rows);
          if (width === 1024) expect(seen.headers, `${where}: columns`).toEqual(['#', 'candidate', 'params', expect.stringMatching(/ ± se ?95 % CI$/), 'p worse', 'verdict']);
          else expect(seen.headers, `${where}: a card per candidate, no header row`).toEqual([]);
          expect(seen.recommended?.shown, `${where}: the recommendation's row`).toBe(true);
          expect(seen.recommended!.bottom, `${where}: the recommendation in the first screen`).toBeLessThanOrEqual(seen.vh);
          await page.screenshot({ path: `test-artifacts/leaderboard-${name.replace(/[^a-z0-9]+/gi, '-')}-${width}.png` });
        } finally {
          await page.close();
        }
      }
    }
  }, 60_000);
});
