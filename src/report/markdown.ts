/** report.md: the same conclusions as report.html, for terminals and pull requests. */
import { answerFor, architectureWords, TEST_LABEL } from './answer.js';
import { dataFacts, featureDetail } from './data-text.js';
import { fmtInt, fmtInterval, fmtMeanSe, fmtP, PLUS_MINUS, PLUS_MINUS_NOTE } from '../format.js';
import { METHOD_NOTES, protocolLine } from './html.js';
import type { RunReport } from './report-model.js';
import { REPORT_ROWS, searchNotes } from './leaderboard-text.js';
import { allFailedSentences } from './failures.js';
import { candidateVerdict, verdictText } from '../results/verdict.js';
import { SIGNIFICANCE } from '../stats/index.js';
import type { RankedCandidate } from '../results/analysis.js';
import { learningCurveMarkdown } from './learning-curve-section.js';

/** Escape the characters that break a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A candidate's verdict (src/results/verdict.ts) with how it fares against the baseline, and Pareto. */
function verdict(c: RankedCandidate, recommendedId: string | undefined): string {
  const v = candidateVerdict(c, c.id === recommendedId);
  return `${v === 'recommended' ? '**recommended**' : verdictText(v, c.vsBaseline?.verdict)}${c.pareto ? ', Pareto' : ''}`;
}

export function renderReportMarkdown(r: RunReport): string {
  const a = r.analysis;
  const out: string[] = [];
  out.push(`# Which depth and width? — ${r.spec.name}`, '');
  out.push(`Run \`${r.runId}\`, ${r.date.slice(0, 16).replace('T', ' ')} UTC · ${a.ranked.length} ranked, ${a.failed.length} failed · ${protocolLine(r.spec, a.metric, a.higherIsBetter)}`, '');

  const links = [...(r.links.history ? [`[History of this sweep](${r.links.history})`] : []), ...(r.links.modelCard ? [`[Model card (final model)](${r.links.modelCard})`] : [])];
  if (links.length) out.push(links.join(' · '), '');

  out.push('## Answer', '');
  const ans = answerFor(a, r.diagnosis);
  const rec = a.recommended;
  if (ans.kind === 'none') {
    const failures = a.failed.map((d) => ({ candidateId: d.candidate.id, reason: d.error?.message ?? 'no error recorded' }));
    out.push(...allFailedSentences(failures, a.failed.length).map((x, i) => (i === 0 ? `**${x}**` : x)), '', 'Each candidate and its reason: see Failures below.', '');
  } else {
    if (rec) {
      const c = rec;
      out.push(`**Use depth ${c.depth} and width ${c.width}**: ${architectureWords(c)} (${c.params === null ? 'unknown parameter count' : `${fmtInt(c.params)} parameters`}).`, '');
    } else out.push(`**${ans.headline}**`, '');
    // The held-out test contradicting the choice comes first, right under the headline.
    for (const w of ans.warnings) out.push(`> **Warning:** ${w}`, '');
    out.push(`Outcome: ${ans.kind} — ${ans.meaning}.`, '');
    if (ans.why) out.push(`- **Why:** ${ans.why}`);
    if (ans.howSure) out.push(`- **How sure:** ${ans.howSure}`);
    if (ans.baseline) out.push(`- **Baseline:** ${ans.baseline}`);
    out.push(`- **${TEST_LABEL}:** ${ans.test.join(' ')}`);
    for (const n of ans.next) out.push(`- **Next:** ${n}`);
    for (const f of ans.caveats) out.push(`- **Caveat (${f.kind}):** ${f.message}`);
    for (const w of r.data?.warnings ?? []) out.push(`- **Data:** ${w}`);
    if (r.comparison?.compared) out.push(`- **Since the previous run:** ${r.comparison.message}`);
    out.push('');
  }

  if (r.effects.sentence) out.push('## What mattered: depth or width?', '', r.effects.sentence, '');
  out.push(...learningCurveMarkdown(r.learningCurve?.doc));

  if (a.ranked.length) {
    out.push('## Leaderboard', '');
    const unit = a.unit ? ` in ${a.unit}` : '';
    const single = a.trialsPerCandidate === 1 ? ' With one trial per candidate there is no standard error and no interval.' : '';
    out.push(
      `Validation ${a.metric}${unit} over each candidate's trials: ${PLUS_MINUS}, and the 95 % confidence interval on the metric's scale; ${PLUS_MINUS_NOTE}.${single} ` +
        `"p worse" and "≈ best": one-sided paired t-test against the best on the same folds and repeats, Nadeau–Bengio corrected (p ≥ ${SIGNIFICANCE}: not significantly worse).`,
      '',
    );
    out.push(`| # | candidate | params | ${a.metric}${unit} (${PLUS_MINUS}) | 95 % CI | n | p worse | verdict | diagnosis |`);
    out.push('|--:|---|--:|--:|--:|--:|--:|---|---|');
    const diag = new Map(r.diagnosis.candidates.map((d) => [d.candidateId, d]));
    const recId = rec?.id;
    const lead = a.ranked.slice(0, REPORT_ROWS);
    const shown = rec && !lead.includes(rec) ? [...lead, rec] : lead;
    for (const c of shown) {
      const s = c.summary;
      const kinds =
        diag
          .get(c.id)
          ?.findings.map((f) => f.kind)
          .join(', ') ?? '';
      out.push(
        `| ${c.rank} | ${cell(c.label)} | ${fmtInt(c.params)} | ${fmtMeanSe(s.mean, s.se)} | ${s.ci ? fmtInterval(s.ci, s.se) : 'no interval'} | ${s.n} | ${c.rank === 1 ? '' : fmtP(c.pWorse)} | ${verdict(c, recId)} | ${kinds} |`,
      );
    }
    if (a.baseline) {
      const b = a.baseline.summary;
      out.push(`| — | baseline: ${cell(a.baseline.name)} | 0 | ${fmtMeanSe(b.mean, b.se)} | ${b.ci ? fmtInterval(b.ci, b.se) : 'no interval'} | ${b.n} |  |  |  |`);
    }
    if (shown.length < a.ranked.length)
      out.push(
        '',
        `The ${fmtInt(lead.length)} leading candidates of ${fmtInt(a.ranked.length)}${shown.length > lead.length ? ' and the recommendation' : ''}; leaderboard.csv and leaderboard.json beside this file have every one.`,
      );
    out.push('');
  }

  out.push('## Data', '');
  if (!r.data) out.push('This run recorded no data summary (it was made before layerbench kept one).', '');
  else {
    for (const f of dataFacts(r.data)) out.push(`- **${f.label}:** ${f.text}`);
    for (const w of r.data.warnings) out.push(`- **Warning:** ${w}`);
    out.push('', '| feature | how the network sees it |', '|---|---|');
    for (const f of r.data.features) out.push(`| \`${cell(f.name)}\` | ${cell(featureDetail(f))} |`);
    out.push('');
  }

  const listed = new Set([...a.ranked.slice(0, REPORT_ROWS).map((c) => c.id), ...(rec ? [rec.id] : [])]);
  const flagged = r.diagnosis.candidates.filter((d) => listed.has(d.candidateId) && d.findings.some((f) => f.kind !== 'healthy'));
  if (a.ranked.length) {
    out.push('## Diagnoses', '');
    out.push(r.diagnosis.summary.join(' '), '');
    for (const d of flagged) {
      for (const f of d.findings) out.push(`- **${d.label}** — ${f.kind}: ${f.message}`);
    }
    if (flagged.length) out.push('');
  }

  out.push('## Failures', '');
  if (a.failed.length === 0) out.push('None: every candidate trained.', '');
  else {
    out.push('| candidate | kind | code | message |', '|---|---|---|---|');
    for (const d of a.failed.slice(0, REPORT_ROWS)) {
      const e = d.error ?? { kind: '—', code: '—', message: d.status === 'succeeded' ? 'no finite metric value recorded' : 'no error recorded' };
      out.push(`| ${cell(`${d.candidate.family} d${d.candidate.depth} w${d.candidate.width}`)} | ${e.kind} | \`${e.code}\` | ${cell(e.message)} |`);
    }
    if (a.failed.length > REPORT_ROWS) out.push('', `The first ${REPORT_ROWS} of ${fmtInt(a.failed.length)}; leaderboard.json lists every failure with its reason.`);
    out.push('');
  }

  if (r.search) {
    out.push(r.search.search ? '## The search: rungs and cost' : '## Cost', '', ...searchNotes(r.search).map((n) => `- ${n}`), '');
    const stopped = r.search.search?.stopped ?? [];
    if (stopped.length > 0) {
      out.push(
        `Stopped at an earlier rung${stopped.length > REPORT_ROWS ? ` (the best ${REPORT_ROWS} of ${fmtInt(stopped.length)}; every one in leaderboard.json)` : ''}: ${stopped
          .slice(0, REPORT_ROWS)
          .map((x) => `d${x.depth} w${x.width} at rung ${x.round} (${x.epochs} epochs, ${x.verdict})`)
          .join('; ')}.`,
        '',
      );
    }
  }
  if (a.ranked.length) {
    out.push('## The models it saved', '', `**Final model** — ${r.models.final}`, '');
    if (r.models.predict) out.push(`Predict with it: \`${r.models.predict}\` (a CSV with the training columns, or NPY/NPZ arrays).`, '');
    out.push(`**Per-candidate models** — ${r.models.candidates}`, '');
  }

  if (r.keras) {
    out.push('## The recommended architecture in Keras', '', '```python', r.keras.trimEnd(), '```', '');
  }
  out.push('## How to read this', '');
  for (const [t, d] of METHOD_NOTES) out.push(`- **${t}:** ${d}`);
  out.push('', 'The full report with charts: `report.html` beside this file.', '');
  return out.join('\n');
}
