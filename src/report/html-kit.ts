/** Small helpers shared by the report pages: escaping, figures and the inline stylesheet (no external assets). */
import type { Figure } from './figures.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Below this viewport width the pages show charts' narrow drawings (the wide ones need about 720 px). */
export const NARROW_BELOW_PX = 760;

/**
 * A figure as HTML: its title and subtitle as text (they wrap), then the chart — both drawings of a
 * single chart (the stylesheet shows the one that fits) or its panels in a grid that reflows.
 */
export function figureHtml(f: Figure): string {
  const caption = `<figcaption><span class="fig-title">${escapeHtml(f.title)}</span>${f.subtitle ? ` <span class="fig-sub">${escapeHtml(f.subtitle)}</span>` : ''}</figcaption>`;
  let body = '';
  if (f.single) {
    body = f.single.narrow ? `<div class="svg wide">${f.single.wide}</div><div class="svg narrow">${f.single.narrow}</div>` : `<div class="svg">${f.single.wide}</div>`;
  } else if (f.panels) {
    body = `<div class="panels">${f.panels
      .map(
        (p) =>
          `<div class="panel" data-panel="${escapeHtml(p.name)}"><p class="panel-title">${escapeHtml(p.title)}${p.subtitle ? ` <span class="fig-sub">${escapeHtml(p.subtitle)}</span>` : ''}</p><div class="svg">${p.svg}</div></div>`,
      )
      .join('')}</div>`;
  }
  const note = f.note ? `<p class="fig-note">${escapeHtml(f.note)}</p>` : '';
  return `<figure class="chart" data-chart="${escapeHtml(f.name)}">${caption}${body}${note}</figure>`;
}

/** A table that scrolls sideways inside its own box instead of widening the page. */
export function scrollTable(table: string): string {
  return `<div class="scroll">${table}</div>`;
}

/** The pages' stylesheet, inlined into each page: system fonts only, nothing fetched. */
export function pageCss(): string {
  return `
:root { --fg: #1d2330; --muted: #5b6474; --line: #e3e6eb; --accent: #1b7f5f; --warn: #b45309; --bad: #b91c1c; --bg-soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta, .muted { color: var(--muted); }
p.meta { margin: 0 0 18px; font-size: 13.5px; }
.lead { font-size: 16px; }
.answer { border: 2px solid var(--accent); border-radius: 10px; padding: 16px 20px; background: #f1faf6; }
.answer .headline { font-size: 21px; font-weight: 650; margin: 0 0 8px; }
.answer.none { border-color: var(--bad); background: #fdf2f2; }
.answer p { margin: 6px 0; }
.answer.unproven { border-color: var(--warn); background: #fffaf2; }
.answer p.warning { border-left: 4px solid var(--bad); padding: 4px 10px; color: var(--bad); font-weight: 600; background: #fff; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.recommended td { background: #eefaf4; }
tr.best td:first-child { font-weight: 700; }
tr.changed td { background: #fff7ed; }
.tag { display: inline-block; font-size: 11.5px; line-height: 1.4; padding: 0 6px; border-radius: 8px; border: 1px solid var(--line); background: #fff; white-space: nowrap; margin: 1px 2px 1px 0; }
.tag.ok { border-color: #9bd3bd; color: var(--accent); }
.tag.warn { border-color: #f3c58b; color: var(--warn); }
.tag.bad { border-color: #f0a3a3; color: var(--bad); }
.tag.info { border-color: #b7c4e0; color: #284b8f; }
.chart { margin: 14px 0 26px; min-width: 0; }
figcaption { margin: 0 0 8px; }
.fig-title { font-weight: 650; }
.fig-sub, .fig-note { color: var(--muted); font-size: 13.5px; font-weight: 400; }
.fig-note { margin: 6px 0 0; }
.svg svg { display: block; max-width: 100%; height: auto; }
.svg.narrow { display: none; }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 14px 22px; }
.panel { min-width: 0; }
.panel-title { margin: 0 0 4px; font-size: 13.5px; font-weight: 600; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
nav.links { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 0 0 18px; font-size: 14px; }
nav.links a { color: var(--accent); }
a { color: #1d5fa8; }
pre { background: #0f172a; color: #e2e8f0; padding: 14px 16px; border-radius: 8px; overflow-x: auto; font-size: 13px; line-height: 1.45; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.92em; }
code.id { font-size: 11px; color: var(--muted); white-space: nowrap; }
ul.findings { margin: 4px 0; padding-left: 18px; }
ul.findings li { margin: 2px 0; }
tr.baseline td { color: var(--warn); background: #fffaf2; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
dl.notes dt { font-weight: 600; margin-top: 8px; }
dl.notes dd { margin: 2px 0 0 0; color: var(--muted); }
p, li, dd, dt, td, figcaption, h1, h2, h3 { overflow-wrap: anywhere; }
section.effects .sentence { font-size: 16px; }
p.protocol { font-size: 13.5px; margin: 10px 0 0; }
table.lb td { vertical-align: top; }
table.lb tr.cand td { border-bottom: 0; padding-bottom: 1px; }
table.lb td.cand-name { white-space: nowrap; font-weight: 600; }
table.lb td.score .mean { display: block; }
table.lb td.score .ci { display: block; font-size: 12px; color: var(--muted); }
table.lb td.verdict { white-space: normal; }
table.lb tr.more td { font-size: 12px; color: var(--muted); padding-top: 0; }
table.lb .label { display: none; }
table.lb tr.baseline td { border-bottom: 1px solid var(--line); }
.answer table.lb { margin: 10px 0; background: #fff; }
p.more-note { font-size: 13.5px; color: var(--muted); }
@media (max-width: ${NARROW_BELOW_PX - 1}px) {
  table.lb, table.lb tbody { display: block; }
  table.lb thead { display: none; }
  table.lb tr.cand { display: grid; grid-template-columns: 2.2em minmax(0, 1fr) auto; grid-template-areas: "rank name verdict" "rank score score" "rank params pworse"; border-top: 1px solid var(--line); padding: 6px 0 0; }
  table.lb tr.cand td { display: block; padding: 1px 4px; text-align: left; }
  table.lb td.rank { grid-area: rank; }
  table.lb td.cand-name { grid-area: name; }
  table.lb td.verdict { grid-area: verdict; text-align: right; }
  table.lb td.score { grid-area: score; }
  table.lb td.score .mean, table.lb td.score .ci { display: inline; }
  table.lb td.score .ci::before { content: " (95 % CI "; }
  table.lb td.score .ci::after { content: ")"; }
  table.lb td.params { grid-area: params; color: var(--muted); font-size: 13px; }
  table.lb td.pworse { grid-area: pworse; color: var(--muted); font-size: 13px; text-align: right; }
  table.lb .label { display: inline; }
  table.lb tr.more { display: block; }
  table.lb tr.more td { display: block; border-bottom: 0; padding: 0 4px 6px 2.2em; }
  table.lb tr.more td:first-child { display: none; }
  table.lb tr.baseline { border-bottom: 1px solid var(--line); padding-bottom: 6px; }
  table.lb tr.baseline td.verdict { grid-column: 2 / 4; grid-row: 3; text-align: left; }
  main { padding: 16px 12px 48px; }
  h1 { font-size: 21px; }
  h2 { font-size: 17px; }
  .answer { padding: 12px 14px; }
  .answer .headline { font-size: 18px; }
  .svg.wide { display: none; }
  .svg.narrow { display: block; }
  dl.facts { grid-template-columns: 1fr; gap: 0; }
  dl.facts dd { margin: 0 0 6px; }
  pre { font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
  th { white-space: normal; }
  td.num, th.num { white-space: normal; }
}
`;
}
