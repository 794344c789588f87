/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) that answers
 * "which depth and width should I use, and how sure are we?" first, then shows the evidence.
 */
import type { SweepSpec } from '../spec/schema.js';
import type { CandidateDiagnosis, DiagnosisKind } from './diagnose.js';
import { escapeHtml, pageCss } from './html-kit.js';
import type { RunReport } from './run-report.js';
import { certaintySentence, fmt, fmtInt, fmtP, fmtSeconds, SIGNIFICANCE, type RankedCandidate } from './stats.js';

const TAG_CLASS: Record<DiagnosisKind, string> = {
  underfitting: 'warn',
  overfitting: 'warn',
  'still-improving': 'info',
  healthy: 'ok',
};

/** A line describing the sweep: family, dataset, task, metric, protocol. */
export function protocolLine(spec: SweepSpec, metric: string, higherIsBetter: boolean): string {
  const e = spec.evaluation;
  const protocol =
    e.strategy === 'kfold'
      ? `${e.folds}-fold cross-validation${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}`
      : `holdout (${Math.round(e.validationSplit * 100)} % validation)${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}`;
  return `${spec.model.family} networks on ${spec.dataset.key} (${spec.dataset.task}); ranked by validation ${metric} (${higherIsBetter ? 'higher' : 'lower'} is better); ${protocol}; up to ${spec.training.epochs} epochs${spec.training.earlyStopping.enabled ? ` with early stopping (patience ${spec.training.earlyStopping.patience})` : ''}.`;
}

/** `3 layers × 64 units` (or filters), with the per-layer list when the width pattern varies. */
export function architectureWords(c: RankedCandidate): string {
  const cand = c.doc.candidate;
  const unit = cand.family === 'cnn' ? 'filters' : cand.family === 'lstm' ? 'LSTM units' : 'units';
  const layer = cand.family === 'cnn' ? 'conv block' : cand.family === 'lstm' ? 'LSTM layer' : 'hidden layer';
  const constant = cand.units.every((u) => u === cand.units[0]);
  const per = constant ? `${cand.width} ${unit} each` : `${cand.units.join(' → ')} ${unit}`;
  return `${cand.depth} ${layer}${cand.depth === 1 ? '' : 's'}, ${per}`;
}

function marks(c: RankedCandidate, recommendedId: string | undefined): string {
  const tags: string[] = [];
  if (c.rank === 1) tags.push('<span class="tag ok" title="highest mean">best</span>');
  if (c.id === recommendedId) tags.push('<span class="tag ok" title="smallest within one standard error of the best">recommended</span>');
  if (c.rank !== 1 && c.indistinguishable === true) tags.push(`<span class="tag info" title="Welch's t-test against the best: p ≥ ${SIGNIFICANCE}">≈ best</span>`);
  if (c.rank !== 1 && c.indistinguishable === null) tags.push('<span class="tag" title="one trial: no test possible">untested</span>');
  if (c.withinOneSe === true && c.rank !== 1) tags.push('<span class="tag info" title="mean within one standard error of the best">1 SE</span>');
  if (c.pareto) tags.push('<span class="tag" title="no candidate is both smaller and better">Pareto</span>');
  return tags.join('');
}

function diagnosisTags(d: CandidateDiagnosis | undefined): string {
  if (!d) return '';
  return d.findings.map((f) => `<span class="tag ${TAG_CLASS[f.kind]}">${f.kind}</span>`).join('');
}

function answerSection(r: RunReport): string {
  const a = r.analysis;
  const rec = a.recommended;
  if (!rec) {
    return `<section class="answer none"><p class="headline">No answer: no candidate produced a result.</p>
<p>${a.failed.length} candidate${a.failed.length === 1 ? '' : 's'} failed; see <a href="#failures">the failures</a>.</p></section>`;
  }
  const c = rec.candidate;
  const comparison = r.comparison?.compared ? `<p class="muted">Compared with the previous run: ${escapeHtml(r.comparison.message)}</p>` : '';
  const diag = r.diagnoses.find((d) => d.candidateId === c.id);
  const caveats = diag?.findings.filter((f) => f.kind !== 'healthy') ?? [];
  const caveat = caveats.length
    ? `<p><strong>Caveat:</strong> ${caveats.map((f) => `${escapeHtml(f.kind)} — ${escapeHtml(f.message)}`).join(' ')}</p>`
    : '';
  return `<section class="answer" id="answer">
<p class="headline">Use depth ${c.depth} and width ${c.width}: ${escapeHtml(architectureWords(c))} (${fmtInt(c.params)} parameters).</p>
<p><strong>How sure:</strong> ${escapeHtml(certaintySentence(a))}</p>
<p><strong>Why:</strong> ${escapeHtml(rec.reason)}</p>
${caveat}
${comparison}
</section>`;
}

function leaderboard(r: RunReport): string {
  const a = r.analysis;
  const recId = a.recommended?.candidate.id;
  const diag = new Map(r.diagnoses.map((d) => [d.candidateId, d]));
  const rows = a.ranked
    .map((c) => {
      const s = c.summary;
      const cls = [c.id === recId ? 'recommended' : '', c.rank === 1 ? 'best' : ''].filter(Boolean).join(' ');
      return `<tr${cls ? ` class="${cls}"` : ''}><td class="num">${c.rank}</td><td>${escapeHtml(c.label)}<br><code class="id">${escapeHtml(c.id)}</code></td>` +
        `<td class="num">${fmtInt(c.params)}</td><td class="num">${fmt(s.mean)}</td><td class="num">${fmt(s.std)}</td>` +
        `<td class="num">${s.ci ? `${fmt(s.ci.lo)} – ${fmt(s.ci.hi)}` : '<span title="one trial: no interval">n/a</span>'}</td><td class="num">${s.n}</td>` +
        `<td class="num">${fmtP(c.vsBest?.p)}</td><td>${marks(c, recId)}</td><td>${diagnosisTags(diag.get(c.id))}</td>` +
        `<td class="num">${fmtSeconds(c.doc.timing.wallSeconds)}</td></tr>`;
    })
    .join('\n');
  return `<section id="leaderboard"><h2>Leaderboard</h2>
<p class="muted">Mean, sample standard deviation and 95 % confidence interval (Student's t, n − 1 degrees of freedom) of validation ${escapeHtml(a.metric)} over each candidate's trials. “≈ best”: Welch's t-test against the best gives p ≥ ${SIGNIFICANCE}.</p>
<table><thead><tr><th class="num">#</th><th>candidate</th><th class="num">params</th><th class="num">mean</th><th class="num">std</th><th class="num">95 % CI</th><th class="num">n</th><th class="num">p vs best</th><th>marks</th><th>diagnosis</th><th class="num">seconds</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

function diagnosesSection(r: RunReport): string {
  const flagged = r.diagnoses.filter((d) => d.findings.some((f) => f.kind !== 'healthy'));
  const healthy = r.diagnoses.length - flagged.length;
  const items = flagged
    .map(
      (d) =>
        `<h3>${escapeHtml(d.label)}</h3><ul class="findings">${d.findings
          .map((f) => `<li><span class="tag ${TAG_CLASS[f.kind]}">${f.kind}</span> ${escapeHtml(f.message)}</li>`)
          .join('')}</ul>`,
    )
    .join('\n');
  return `<section id="diagnoses"><h2>Diagnoses</h2>
<p>${healthy} of ${r.diagnoses.length} candidate${r.diagnoses.length === 1 ? '' : 's'} show no sign of underfitting, overfitting or unfinished training${flagged.length ? '; the others:' : '.'}</p>
${items}
</section>`;
}

function chartsSection(r: RunReport): string {
  const blocks = [
    ['heatmap', r.charts.heatmap],
    ['pareto', r.charts.pareto],
    ['curves', r.charts.curves],
    ['time', r.charts.time],
  ]
    .filter(([, svg]) => svg)
    .map(([name, svg]) => `<figure class="chart" data-chart="${name}">${svg}</figure>`)
    .join('\n');
  return `<section id="charts"><h2>Charts</h2>${blocks || '<p class="muted">Nothing to chart.</p>'}</section>`;
}

function failuresSection(r: RunReport): string {
  const failed = r.analysis.failed;
  if (failed.length === 0) return `<section id="failures"><h2>Failures</h2><p>None: every candidate trained.</p></section>`;
  const rows = failed
    .map((d) => {
      const err = d.error ?? { kind: '—', code: '—', message: d.status === 'succeeded' ? 'no metric values recorded' : 'no error recorded' };
      return `<tr><td>${escapeHtml(`${d.candidate.family} d${d.candidate.depth} w${d.candidate.width}`)}<br><code class="id">${escapeHtml(d.candidate.id)}</code></td>` +
        `<td>${escapeHtml(err.kind)}</td><td><code>${escapeHtml(err.code)}</code></td><td>${escapeHtml(err.message)}</td><td class="num">${fmtSeconds(d.timing.wallSeconds)}</td></tr>`;
    })
    .join('\n');
  return `<section id="failures"><h2>Failures</h2>
<table><thead><tr><th>candidate</th><th>kind</th><th>code</th><th>message</th><th class="num">seconds</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function kerasSection(r: RunReport): string {
  const rec = r.analysis.recommended?.candidate;
  if (!r.keras || !rec) return '';
  const model = rec.doc.modelKey
    ? `<p>The trained TensorFlow.js model: <code>${escapeHtml(rec.doc.modelKey)}</code> (model.json + weights.bin; load with <code>tf.loadLayersModel</code>).</p>`
    : '';
  return `<section id="keras"><h2>The recommended architecture in Keras</h2>
<p class="muted">Same layers, settings and parameter count as the TensorFlow.js model layerbench trained.</p>
<pre><code>${escapeHtml(r.keras)}</code></pre>${model}</section>`;
}

function notesSection(): string {
  return `<section id="method"><h2>How to read this</h2><dl class="notes">
<dt>Confidence interval</dt><dd>mean ± t(0.975, n − 1) · s / √n over the candidate's trials (folds × repeats). With one trial there is no interval.</dd>
<dt>≈ best</dt><dd>Welch's two-sample t-test (unequal variances) of the candidate against the best: p ≥ ${SIGNIFICANCE} means the data cannot tell them apart. Chosen over "overlapping intervals", which is a conservative test of unknown level.</dd>
<dt>Recommendation</dt><dd>The one-standard-error rule: the smallest network (by parameters) whose mean is within one standard error of the best mean.</dd>
<dt>Underfitting</dt><dd>Training metric at chance level, or worse than the best candidate's validation metric: not even the training data is fitted as well as a larger network predicts unseen data.</dd>
<dt>Overfitting</dt><dd>In most trials the train–validation loss gap grew by more than 10 % of the validation loss after the best epoch, while validation loss rose.</dd>
<dt>Still improving</dt><dd>In most trials training ran to the last epoch without an early stop, the best epoch was one of the last two, and the validation metric gained more than 0.5 % over the last three epochs.</dd>
</dl></section>`;
}

export function renderReportHtml(r: RunReport): string {
  const a = r.analysis;
  const title = `layerbench report: ${r.spec.name} (${r.runId})`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${pageCss()}</style></head>
<body><main>
<h1>Which depth and width? <span class="muted">— ${escapeHtml(r.spec.name)}</span></h1>
<p class="meta">Run <code>${escapeHtml(r.runId)}</code>, ${escapeHtml(r.date.slice(0, 16).replace('T', ' '))} UTC · ${a.ranked.length} candidate${a.ranked.length === 1 ? '' : 's'} ranked, ${a.failed.length} failed · ${escapeHtml(protocolLine(r.spec, a.metric, a.higherIsBetter))}</p>
${answerSection(r)}
${leaderboard(r)}
${diagnosesSection(r)}
${chartsSection(r)}
${failuresSection(r)}
${kerasSection(r)}
${notesSection()}
</main></body></html>
`;
}
