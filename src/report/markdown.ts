/** report.md: the same conclusions as report.html, for terminals and pull requests. */
import { architectureWords, protocolLine } from './html.js';
import type { RunReport } from './run-report.js';
import { certaintySentence, fmt, fmtInt, fmtP, SIGNIFICANCE, type RankedCandidate } from './stats.js';

/** Escape the characters that break a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function marks(c: RankedCandidate, recommendedId: string | undefined): string {
  const m: string[] = [];
  if (c.rank === 1) m.push('best');
  if (c.id === recommendedId) m.push('**recommended**');
  if (c.rank !== 1 && c.indistinguishable === true) m.push('≈ best');
  if (c.rank !== 1 && c.indistinguishable === null) m.push('untested');
  if (c.rank !== 1 && c.withinOneSe === true) m.push('1 SE');
  if (c.pareto) m.push('Pareto');
  return m.join(', ');
}

export function renderReportMarkdown(r: RunReport): string {
  const a = r.analysis;
  const out: string[] = [];
  out.push(`# Which depth and width? — ${r.spec.name}`, '');
  out.push(`Run \`${r.runId}\`, ${r.date.slice(0, 16).replace('T', ' ')} UTC · ${a.ranked.length} ranked, ${a.failed.length} failed · ${protocolLine(r.spec, a.metric, a.higherIsBetter)}`, '');

  out.push('## Answer', '');
  const rec = a.recommended;
  if (!rec) {
    out.push('**No answer: no candidate produced a result.** See the failures below.', '');
  } else {
    const c = rec.candidate;
    out.push(`**Use depth ${c.depth} and width ${c.width}**: ${architectureWords(c)} (${fmtInt(c.params)} parameters).`, '');
    out.push(`- **How sure:** ${certaintySentence(a)}`);
    out.push(`- **Why:** ${rec.reason}`);
    const diag = r.diagnoses.find((d) => d.candidateId === c.id);
    for (const f of diag?.findings.filter((x) => x.kind !== 'healthy') ?? []) out.push(`- **Caveat (${f.kind}):** ${f.message}`);
    if (r.comparison?.compared) out.push(`- **Since the previous run:** ${r.comparison.message}`);
    out.push('');
  }

  if (a.ranked.length) {
    out.push('## Leaderboard', '');
    out.push(`Validation ${a.metric} over each candidate's trials: mean, sample standard deviation, 95 % confidence interval (Student's t). "≈ best": Welch's t-test against the best gives p ≥ ${SIGNIFICANCE}.`, '');
    out.push('| # | candidate | params | mean | std | 95 % CI | n | p vs best | marks | diagnosis |');
    out.push('|--:|---|--:|--:|--:|--:|--:|--:|---|---|');
    const diag = new Map(r.diagnoses.map((d) => [d.candidateId, d]));
    const recId = rec?.candidate.id;
    for (const c of a.ranked) {
      const s = c.summary;
      const kinds = diag.get(c.id)?.findings.map((f) => f.kind).join(', ') ?? '';
      out.push(
        `| ${c.rank} | ${cell(c.label)} | ${fmtInt(c.params)} | ${fmt(s.mean)} | ${fmt(s.std)} | ${s.ci ? `${fmt(s.ci.lo)} – ${fmt(s.ci.hi)}` : 'n/a'} | ${s.n} | ${fmtP(c.vsBest?.p)} | ${marks(c, recId)} | ${kinds} |`,
      );
    }
    out.push('');
  }

  const flagged = r.diagnoses.filter((d) => d.findings.some((f) => f.kind !== 'healthy'));
  out.push('## Diagnoses', '');
  out.push(`${r.diagnoses.length - flagged.length} of ${r.diagnoses.length} candidates show no sign of underfitting, overfitting or unfinished training.`, '');
  for (const d of flagged) {
    for (const f of d.findings) out.push(`- **${d.label}** — ${f.kind}: ${f.message}`);
  }
  if (flagged.length) out.push('');

  out.push('## Failures', '');
  if (a.failed.length === 0) out.push('None: every candidate trained.', '');
  else {
    out.push('| candidate | kind | code | message |', '|---|---|---|---|');
    for (const d of a.failed) {
      const e = d.error ?? { kind: '—', code: '—', message: d.status === 'succeeded' ? 'no metric values recorded' : 'no error recorded' };
      out.push(`| ${cell(`${d.candidate.family} d${d.candidate.depth} w${d.candidate.width}`)} | ${e.kind} | \`${e.code}\` | ${cell(e.message)} |`);
    }
    out.push('');
  }

  if (r.keras) {
    out.push('## The recommended architecture in Keras', '', '```python', r.keras.trimEnd(), '```', '');
    const key = rec?.candidate.doc.modelKey;
    if (key) out.push(`The trained TensorFlow.js model: \`${key}\` (model.json + weights.bin).`, '');
  }
  out.push('The full report with charts: `report.html` beside this file.', '');
  return out.join('\n');
}
