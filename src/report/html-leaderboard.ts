/**
 * The report's tables of candidates. Every candidate row shows what a reader needs first — its shape,
 * parameters, score ± standard error with the 95 % interval, p worse and its verdict (src/results/
 * verdict.ts, read from the decision) — and folds the rest (trials, epochs, latency, time, diagnoses,
 * id) into a detail row under it. At 1,024 px that fits without a sideways scroll; below
 * NARROW_BELOW_PX each candidate becomes a card (the stylesheet, html-kit.ts). The answer's own table
 * (the recommendation, the best, an undecided smaller one, the baseline) sits in the first screen.
 *
 * Past REPORT_ROWS candidates the leaderboard lists the leading ones and the recommendation; the rest
 * are in the heatmap and in leaderboard.csv / leaderboard.json beside the report.
 */
import type { CandidateDiagnosis } from './diagnose.js';
import { fmtInt, fmtInterval, fmtMeanSe, fmtMs, fmtP, fmtSeconds, PLUS_MINUS, PLUS_MINUS_NOTE } from '../format.js';
import { escapeHtml } from './html-kit.js';
import { baselineMark, REPORT_ROWS } from './leaderboard-text.js';
import type { RunReport } from './report-model.js';
import { SIGNIFICANCE } from '../stats/index.js';
import type { RankedCandidate, RunAnalysis } from '../results/analysis.js';
import { candidateVerdict, VERDICT_MEANING, type CandidateVerdict } from '../results/verdict.js';

const VERDICT_CLASS: Record<CandidateVerdict, string> = {
  recommended: 'ok',
  best: 'ok',
  '≈ best': 'info',
  undecided: '',
  untested: '',
  worse: 'muted',
  'at or below baseline': 'bad',
};

/** A candidate's verdict as tags: the verdict, how it fares against the baseline when that is not plain, and Pareto. */
export function verdictTags(c: RankedCandidate, a: RunAnalysis): string {
  const v = candidateVerdict(c, c.id === a.recommended?.id);
  const tags = [`<span class="tag ${VERDICT_CLASS[v]}" title="${escapeHtml(VERDICT_MEANING[v])}">${escapeHtml(v)}</span>`];
  if (v === 'recommended' && c.rank === 1) tags.push('<span class="tag ok" title="the highest mean">best</span>');
  const b = v === 'at or below baseline' ? null : baselineMark(c.vsBaseline?.verdict, c.vsBaseline?.p);
  if (b) tags.push(`<span class="tag warn" title="${escapeHtml(b.title)}">${escapeHtml(b.short)}</span>`);
  if (c.pareto) tags.push('<span class="tag" title="no candidate is both smaller and better">Pareto</span>');
  return tags.join('');
}

function scoreCell(s: RankedCandidate['summary']): string {
  const ci = s.ci ? fmtInterval(s.ci, s.se) : 'no interval';
  return `<td class="num score"><span class="mean">${escapeHtml(fmtMeanSe(s.mean, s.se))}</span><span class="ci">${escapeHtml(ci)}</span></td>`;
}

/** One candidate: its row and the detail row folded under it. */
function candidateRows(c: RankedCandidate, a: RunAnalysis, diagnosis: CandidateDiagnosis | undefined): string {
  const cls = ['cand', c.id === a.recommended?.id ? 'recommended' : '', c.rank === 1 ? 'best' : ''].filter(Boolean).join(' ');
  const d = c.doc;
  const findings = (diagnosis?.findings ?? []).filter((f) => f.kind !== 'healthy').map((f) => `<span class="tag warn" title="${escapeHtml(f.message)}">${f.kind}</span>`);
  const epochs = d.trials.length ? d.trials.reduce((s, t) => s + t.epochs.length, 0) / d.trials.length : 0;
  const more = [
    `${fmtInt(c.summary.n)} trial${c.summary.n === 1 ? '' : 's'}`,
    `${Number(epochs.toFixed(1))} epochs`,
    `latency ${fmtMs(d.timing.inferenceMsPerSample)} ms`,
    `${fmtSeconds(d.timing.wallSeconds)} s`,
    ...(findings.length ? [findings.join('')] : []),
    `<code class="id">${escapeHtml(c.id)}</code>`,
  ];
  return (
    `<tr class="${cls}"><td class="num rank">${c.rank}</td><td class="cand-name">${escapeHtml(c.label)}</td>` +
    `<td class="num params">${fmtInt(c.params)}<span class="label"> params</span></td>${scoreCell(c.summary)}` +
    `<td class="num pworse">${c.rank === 1 ? '' : `<span class="label">p worse </span>${fmtP(c.pWorse)}`}</td><td class="verdict">${verdictTags(c, a)}</td></tr>\n` +
    `<tr class="more"><td></td><td colspan="5">${more.join(' · ')}</td></tr>`
  );
}

function baselineRow(a: RunAnalysis): string {
  const b = a.baseline;
  if (!b) return '';
  return (
    `<tr class="cand baseline"><td class="num rank">—</td><td class="cand-name">baseline: ${escapeHtml(b.name)}</td><td class="num params">0<span class="label"> params</span></td>` +
    `${scoreCell(b.summary)}<td class="num pworse"></td><td class="verdict"><span class="muted">${escapeHtml(b.description)}</span></td></tr>`
  );
}

function head(a: RunAnalysis): string {
  const unit = a.unit ? ` (${escapeHtml(a.unit)})` : '';
  return (
    `<thead><tr><th class="num">#</th><th>candidate</th><th class="num">params</th><th class="num" title="${escapeHtml(PLUS_MINUS)}; under it the 95 % interval">${escapeHtml(a.metric)}${unit} ± se<br><span class="muted">95 % CI</span></th>` +
    `<th class="num" title="one-sided p-value that it is worse than the best">p worse</th><th>verdict</th></tr></thead>`
  );
}

/**
 * The answer's table: the recommendation, the best, the smaller candidate the data cannot decide on
 * (outcome undecided) and the baseline — the rows the answer is about, in the page's first screen.
 */
export function answerTable(r: RunReport): string {
  const a = r.analysis;
  const open = a.needed ? a.ranked.find((c) => c.id === a.needed!.candidateId) : undefined;
  const rows = [...new Set([a.recommended, a.best, open].filter((c): c is RankedCandidate => c !== null && c !== undefined))].sort((p, q) => p.rank - q.rank);
  if (rows.length === 0) return '';
  const diag = new Map(r.diagnosis.candidates.map((d) => [d.candidateId, d]));
  return `<table class="lb answer-table">${head(a)}<tbody>\n${rows.map((c) => candidateRows(c, a, diag.get(c.id))).join('\n')}\n${baselineRow(a)}\n</tbody></table>`;
}

/** The leaderboard: the leading candidates and the recommendation, each with its detail row; where the rest are. */
export function leaderboardSection(r: RunReport): string {
  const a = r.analysis;
  if (a.ranked.length === 0) return '';
  const lead = a.ranked.slice(0, REPORT_ROWS);
  const rec = a.recommended;
  const shown = rec && !lead.includes(rec) ? [...lead, rec] : lead;
  const diag = new Map(r.diagnosis.candidates.map((d) => [d.candidateId, d]));
  const unit = a.unit ? ` in ${escapeHtml(a.unit)}` : '';
  const single = a.trialsPerCandidate === 1 ? ' With one trial per candidate there is no standard error and no interval.' : '';
  const files = r.links.leaderboard
    ? ` Every candidate: <a href="${escapeHtml(r.links.leaderboard.csv)}" download>leaderboard.csv</a> · <a href="${escapeHtml(r.links.leaderboard.json)}" download>leaderboard.json</a>.`
    : '';
  const rest =
    shown.length < a.ranked.length
      ? `<p class="more-note">The ${fmtInt(lead.length)} leading candidates${rec && !lead.includes(rec) ? ' and the recommendation' : ''} of ${fmtInt(a.ranked.length)}; the others are in the heatmap under <a href="#charts">Charts</a>.${files}</p>`
      : files
        ? `<p class="more-note">${files.trim()}</p>`
        : '';
  return `<section id="leaderboard"><h2>Leaderboard</h2>
<p class="muted">Validation ${escapeHtml(a.metric)}${unit} over each candidate's trials: ${PLUS_MINUS}, and under it the 95 % confidence interval on the metric's scale; ${PLUS_MINUS_NOTE}.${single} “p worse”: one-sided paired t-test against the best on the same folds and repeats, Nadeau–Bengio corrected (p ≥ ${SIGNIFICANCE}: not significantly worse). Under each candidate: its trials, epochs, inference latency per sample (measured while other candidates trained), wall time, diagnoses and id.</p>
<table class="lb">${head(a)}
<tbody>
${shown.map((c) => candidateRows(c, a, diag.get(c.id))).join('\n')}
${baselineRow(a)}
</tbody></table>
${rest}</section>`;
}
