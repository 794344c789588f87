/**
 * The learning curve in the report (HTML and Markdown) and the terminal: the one-line verdict, a table
 * of score against training rows per candidate with intervals, each candidate's verdict, and the chart
 * (src/report/charts/learning-curve.ts). Reads the learning-curve document only
 * (runs/<runId>/learning-curve.json, src/results/learning-curve.ts).
 */
import { fmtInt, fmtValue, withUnit } from '../format.js';
import { pointRowsWords, pointScoreWords, type LearningCurveDoc } from '../results/learning-curve.js';
import type { Figure } from './figures.js';
import { escapeHtml, figureHtml, scrollTable } from './html-kit.js';

/** What the report carries of the curve: the document and its chart, drawn. */
export interface ReportCurve {
  doc: LearningCurveDoc;
  figure: Figure | null;
}

const HOW =
  'The recommended candidate and the best larger and smaller ones, trained again on fractions of each split’s training rows ' +
  '(the same repeats, folds, seeds and validation rows; the same epochs and early stopping, so a smaller set also gets fewer steps per epoch). ' +
  'Verdict: the decision rule on training rows — half the rows significantly worse than all of them (one-sided paired test on the shared trials, Nadeau–Bengio corrected): more data likely helps; ' +
  '“≈ as good” by the rule (not significantly worse, within a standard error, as a smaller network is “≈ best”): flattened; otherwise too noisy to say. ' +
  'The trend is a power law of the error in the rows, weighted by the points’ standard errors; its value at 2× rows is an extrapolation, not a measurement.';

function tableRows(doc: LearningCurveDoc): string[][] {
  return doc.candidates.flatMap((c) => c.points.map((p) => [`${c.label} (${c.role})`, pointRowsWords(p), pointScoreWords(doc, p)]));
}

function trendWords(doc: LearningCurveDoc, c: LearningCurveDoc['candidates'][number]): string {
  const e = c.extrapolation;
  return e ? `fitted trend at ${fmtInt(Math.round(e.rows))} rows: ${withUnit(fmtValue(e.score), doc.unit)}` : 'no trend (fewer than 3 points)';
}

/** The report's section; empty when the run has no curve. */
export function learningCurveHtml(curve: ReportCurve | null | undefined): string {
  if (!curve) return '';
  const { doc } = curve;
  const rows = tableRows(doc)
    .map((r) => `<tr><td>${escapeHtml(r[0]!)}</td><td class="num">${escapeHtml(r[1]!)}</td><td class="num">${escapeHtml(r[2]!)}</td></tr>`)
    .join('');
  const verdicts = doc.candidates
    .map((c) => `<li><strong>${escapeHtml(c.label)}</strong>: ${escapeHtml(c.verdict.sentence)} <span class="muted">(${escapeHtml(trendWords(doc, c))})</span></li>`)
    .join('');
  return `<section id="learning-curve"><h2>Would more data help?</h2>
<p class="sentence"><strong>${escapeHtml(doc.verdict.headline)}</strong></p>
${curve.figure ? figureHtml(curve.figure) : ''}
${scrollTable(`<table><thead><tr><th>candidate</th><th>training rows</th><th>validation ${escapeHtml(doc.metric)} (95 % CI)</th></tr></thead><tbody>${rows}</tbody></table>`)}
<ul>${verdicts}</ul>
<p class="muted">${escapeHtml(HOW)}</p>
</section>`;
}

/** The Markdown section's lines; none when the run has no curve. */
export function learningCurveMarkdown(doc: LearningCurveDoc | null | undefined): string[] {
  if (!doc) return [];
  return [
    '## Would more data help?',
    '',
    `**${doc.verdict.headline}**`,
    '',
    `| candidate | training rows | validation ${doc.metric} (95 % CI) |`,
    '|---|---:|---:|',
    ...tableRows(doc).map((r) => `| ${r.join(' | ')} |`),
    '',
    ...doc.candidates.map((c) => `- **${c.label}**: ${c.verdict.sentence} (${trendWords(doc, c)})`),
    '',
    HOW,
    '',
  ];
}

/** The terminal's lines: the verdict, then per candidate its scores by rows, each line within 100 columns. */
export function learningCurveText(doc: LearningCurveDoc | null | undefined): string {
  if (!doc) return '';
  const lines = wrap(`learning curve: ${doc.verdict.headline}`, 100, '  ');
  for (const c of doc.candidates) {
    lines.push(`  ${c.label} (${c.role}): ${c.verdict.kind}`);
    for (const p of c.points) lines.push(`    ${pointRowsWords(p).padEnd(22)} ${pointScoreWords(doc, p)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Words to lines of at most `width` columns, continuation lines indented. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length > width && line !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}
