/** Small helpers shared by the report pages: escaping and the inline stylesheet (no external assets). */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
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
.chart { margin: 14px 0 22px; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
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
`;
}
