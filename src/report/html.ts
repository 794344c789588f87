/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) that answers
 * "which depth and width should I use, and how sure are we?" first, then shows the evidence.
 */
import type { SweepSpec } from '../sweep/schema.js';
import { answerFor, TEST_LABEL } from './answer.js';
import { dataFacts, featureDetail } from './data-text.js';
import type { DiagnosisKind } from './diagnose.js';
import { fmtInt, fmtP, fmtSeconds, fmtUsd, fmtValue, PLUS_MINUS, PLUS_MINUS_NOTE, usdDecimals } from '../format.js';
import { escapeHtml, figureHtml, pageCss, scrollTable } from './html-kit.js';
import { REPORT_ROWS, searchNotes } from './leaderboard-text.js';
import { answerTable, leaderboardSection } from './html-leaderboard.js';
import { allFailedSentences } from './failures.js';
import { learningCurveHtml } from './learning-curve-section.js';
import type { RunReport } from './report-model.js';
import { SIGNIFICANCE } from '../stats/index.js';
import { DECISION_RULE } from '../results/verdict.js';

const TAG_CLASS: Record<DiagnosisKind, string> = {
  'at-baseline': 'bad',
  underfitting: 'warn',
  overfitting: 'warn',
  unfinished: 'info',
  healthy: 'ok',
};

/** A line describing the sweep: family, dataset, task, metric, protocol. */
export function protocolLine(spec: SweepSpec, metric: string, higherIsBetter: boolean): string {
  const e = spec.evaluation;
  const protocol =
    e.strategy === 'kfold'
      ? `${e.folds}-fold cross-validation${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}`
      : `holdout (${Math.round(e.validationSplit * 100)} % validation)${e.repeats > 1 ? ` × ${e.repeats} repeats` : ''}`;
  const unit = spec.dataset.unit && metric !== 'accuracy' && metric !== 'loss' ? ` in ${spec.dataset.unit}` : '';
  return `${spec.model.family} networks on ${spec.dataset.key} (${spec.dataset.task}); ranked by validation ${metric}${unit} (${higherIsBetter ? 'higher' : 'lower'} is better); ${protocol}; up to ${spec.training.epochs} epochs${spec.training.earlyStopping.enabled ? ` with early stopping (patience ${spec.training.earlyStopping.patience})` : ''}.`;
}

function answerSection(r: RunReport): string {
  const a = r.analysis;
  const ans = answerFor(a, r.diagnosis);
  const p = (label: string, text: string | null) => (text ? `<p><strong>${label}:</strong> ${escapeHtml(text)}</p>` : '');
  if (ans.kind === 'none') {
    const [all, reason] = allFailedSentences(
      a.failed.map((d) => ({ candidateId: d.candidate.id, reason: failureReason(d) })),
      a.ranked.length + a.failed.length,
    );
    return `<section class="answer none" id="answer"><p class="headline">${escapeHtml(all!)}</p>
${reason ? `<p>${escapeHtml(reason)}</p>` : ''}<p>Each candidate and its reason: <a href="#failures">Failures</a>.</p></section>`;
  }
  const comparison = r.comparison?.compared ? `<p class="muted">Compared with the previous run: ${escapeHtml(r.comparison.message)}</p>` : '';
  const caveat = ans.caveats.length ? `<p><strong>Caveat:</strong> ${ans.caveats.map((f) => `${escapeHtml(f.kind)} — ${escapeHtml(f.message)}`).join(' ')}</p>` : '';
  const dataWarnings = r.data?.warnings.length ? `<p><strong>Data:</strong> ${r.data.warnings.map((w) => escapeHtml(w)).join(' ')} (see <a href="#data">Data</a>).</p>` : '';
  const next = ans.next.length ? `<p><strong>Next:</strong> ${ans.next.map((n) => escapeHtml(n)).join(' ')}</p>` : '';
  // The held-out test contradicting the choice comes first, right under the headline, in the answer's own box.
  const warnings = ans.warnings.map((w) => `<p class="warning" role="alert"><strong>Warning:</strong> ${escapeHtml(w)}</p>\n`).join('');
  return `<section class="answer${ans.kind === 'baseline' ? ' none' : ans.warnings.length ? ' unproven' : ''}" id="answer">
<p class="headline">${escapeHtml(ans.headline)}</p>
${warnings}<p class="muted">Outcome: ${escapeHtml(ans.kind)} — ${escapeHtml(ans.meaning)}.</p>
${answerTable(r)}
${p('Why', ans.why)}
${p('How sure', ans.howSure)}
${p('Baseline', ans.baseline)}
<p class="test"><strong>${escapeHtml(TEST_LABEL)}:</strong> ${escapeHtml(ans.test.join(' '))}</p>
${next}
${caveat}
${dataWarnings}
${comparison}
</section>`;
}

/** Why a candidate has no result: its error, or that it recorded no finite metric. */
function failureReason(d: RunReport['analysis']['failed'][number]): string {
  return d.error?.message ?? (d.status === 'succeeded' ? 'no finite metric value recorded' : 'no error recorded');
}

function dataSection(r: RunReport): string {
  const d = r.data;
  if (!d) return `<section id="data"><h2>Data</h2><p class="muted">This run recorded no data summary (it was made before layerbench kept one).</p></section>`;
  const facts = dataFacts(d)
    .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.text)}</dd>`)
    .join('\n');
  const features = d.features.map((f) => `<tr><td><code>${escapeHtml(f.name)}</code></td><td>${escapeHtml(featureDetail(f))}</td></tr>`).join('\n');
  const warnings = d.warnings.length ? `<h3>Warnings</h3><ul class="findings">${d.warnings.map((w) => `<li><span class="tag warn">data</span> ${escapeHtml(w)}</li>`).join('')}</ul>` : '';
  return `<section id="data"><h2>Data</h2>
<dl class="facts">
${facts}
</dl>
${warnings}
<h3>Inputs, in order</h3>
<div class="scroll"><table><thead><tr><th>feature</th><th>how the network sees it</th></tr></thead><tbody>
${features}
</tbody></table></div></section>`;
}

function diagnosesSection(r: RunReport): string {
  if (r.analysis.ranked.length === 0) return '';
  const all = r.diagnosis.candidates.filter((d) => d.findings.some((f) => f.kind !== 'healthy'));
  // The leaderboard's candidates in full; the others counted (the summary above counts every finding).
  const listed = new Set(r.analysis.ranked.slice(0, REPORT_ROWS).map((c) => c.id));
  if (r.analysis.recommended) listed.add(r.analysis.recommended.id);
  const flagged = all.filter((d) => listed.has(d.candidateId));
  const rest =
    all.length > flagged.length
      ? `<p class="more-note">${fmtInt(all.length - flagged.length)} more candidates with findings, outside the leaderboard's ${fmtInt(REPORT_ROWS)}: their diagnoses are the same kinds, counted above.</p>`
      : '';
  const items = flagged
    .map(
      (d) => `<h3>${escapeHtml(d.label)}</h3><ul class="findings">${d.findings.map((f) => `<li><span class="tag ${TAG_CLASS[f.kind]}">${f.kind}</span> ${escapeHtml(f.message)}</li>`).join('')}</ul>`,
    )
    .join('\n');
  return `<section id="diagnoses"><h2>Diagnoses</h2>
<p>${escapeHtml(r.diagnosis.summary.join(' '))} Check any of them against the curves under <a href="#charts">Charts</a>.</p>
${items}
${rest}</section>`;
}

function chartsSection(r: RunReport): string {
  if (r.analysis.ranked.length === 0) return '';
  const figures = r.figures.charts.map(figureHtml).join('\n');
  return `<section id="charts"><h2>Charts</h2>
<p class="muted">Hover a point, a cell or a bar for its numbers.</p>
${figures || '<p class="muted">Nothing to chart.</p>'}</section>`;
}

function effectsSection(r: RunReport): string {
  const sentence = r.effects.sentence;
  if (!sentence) return '';
  return `<section id="effects" class="effects"><h2>What mattered: depth or width?</h2>
<p class="sentence">${escapeHtml(sentence)}</p>
${r.figures.effects ? figureHtml(r.figures.effects) : ''}
</section>`;
}

/** Where to go from here: the sweep's history, the final model's card, the sections. */
function linksNav(r: RunReport): string {
  const links: string[] = [];
  if (r.links.history) links.push(`<a href="${escapeHtml(r.links.history)}">History of this sweep</a>`);
  if (r.links.modelCard) links.push(`<a href="${escapeHtml(r.links.modelCard)}">Model card (final model)</a>`);
  const ranked = r.analysis.ranked.length > 0;
  for (const [id, label] of [
    ...(ranked ? [['leaderboard', 'Leaderboard']] : [['failures', 'Failures']]),
    ...(r.effects.sentence ? [['effects', 'What mattered']] : []),
    ...(ranked ? [['charts', 'Charts']] : []),
    ['data', 'Data'],
    ...(r.keras ? [['keras', 'Keras code']] : []),
  ] as const) {
    links.push(`<a href="#${id}">${label}</a>`);
  }
  return `<nav class="links">${links.join('')}</nav>`;
}

function failuresSection(r: RunReport): string {
  const failed = r.analysis.failed;
  if (failed.length === 0) return `<section id="failures"><h2>Failures</h2><p>None: every candidate trained.</p></section>`;
  const rows = failed
    .slice(0, REPORT_ROWS)
    .map((d) => {
      const err = d.error ?? { kind: '—', code: '—', message: d.status === 'succeeded' ? 'no finite metric value recorded' : 'no error recorded' };
      return (
        `<tr><td>${escapeHtml(`${d.candidate.family} d${d.candidate.depth} w${d.candidate.width}`)}<br><code class="id">${escapeHtml(d.candidate.id)}</code></td>` +
        `<td>${escapeHtml(err.message)}<br><span class="muted">${escapeHtml(err.kind)} · <code>${escapeHtml(err.code)}</code> · ${fmtSeconds(d.timing.wallSeconds)} s</span></td></tr>`
      );
    })
    .join('\n');
  return `<section id="failures"><h2>Failures</h2>
<div class="scroll"><table><thead><tr><th>candidate</th><th>why it failed <span class="muted">(kind · code · seconds)</span></th></tr></thead><tbody>
${rows}
</tbody></table></div>${failed.length > REPORT_ROWS ? `<p class="more-note">The first ${REPORT_ROWS} of ${fmtInt(failed.length)}; leaderboard.json lists every failure with its reason.</p>` : ''}</section>`;
}

/** A halving run's rungs and the epochs it saved; every run's estimated cost, per candidate and in all. */
function searchSection(r: RunReport): string {
  const lb = r.search;
  if (!lb) return '';
  const notes = searchNotes(lb)
    .map((n) => `<p>${escapeHtml(n)}</p>`)
    .join('\n');
  const stopped = lb.search?.stopped ?? [];
  const stoppedTable =
    stopped.length === 0
      ? ''
      : scrollTable(
          `<table><thead><tr><th class="num">rung</th><th class="num">epochs</th><th>candidate</th><th class="num">${escapeHtml(r.analysis.metric)} at the rung</th><th>verdict</th><th class="num">p vs cut</th></tr></thead><tbody>\n` +
            stopped
              .slice(0, REPORT_ROWS)
              .map(
                (x) =>
                  `<tr><td class="num">${x.round}</td><td class="num">${x.epochs}</td><td>dense d${x.depth} w${x.width}<br><code class="id">${escapeHtml(x.candidateId)}</code></td>` +
                  `<td class="num">${x.metric === null ? '—' : escapeHtml(fmtValue(x.metric))}</td><td>${escapeHtml(x.verdict)}</td><td class="num">${escapeHtml(fmtP(x.p))}</td></tr>`,
              )
              .join('\n') +
            '\n</tbody></table>',
        );
  const priced = lb.rows.filter((row) => row.cost);
  // The column at one precision, so its figures compare.
  const usdPlaces = usdDecimals(...priced.slice(0, REPORT_ROWS).map((row) => row.cost!.usd));
  const costTable =
    priced.length === 0
      ? ''
      : scrollTable(
          '<table><thead><tr><th>candidate</th><th class="num">estimated $</th><th class="num">billed s</th><th class="num">CPU s</th></tr></thead><tbody>\n' +
            priced
              .slice(0, REPORT_ROWS)
              .map(
                (row) =>
                  `<tr><td>d${row.depth} w${row.width}<br><code class="id">${escapeHtml(row.candidateId)}</code></td><td class="num">${fmtUsd(row.cost!.usd, usdPlaces)}</td><td class="num">${row.cost!.seconds.toFixed(1)}</td><td class="num">${row.cost!.cpuSeconds.toFixed(1)}</td></tr>`,
              )
              .join('\n') +
            '\n</tbody></table>',
        );
  return `<section id="search"><h2>${lb.search ? 'The search: rungs and cost' : 'Cost'}</h2>
${notes}
${stopped.length > 0 ? `<h3>Stopped at an earlier rung (${fmtInt(stopped.length)}${stopped.length > REPORT_ROWS ? `; the best ${REPORT_ROWS} here, every one in leaderboard.json` : ''})</h3>\n${stoppedTable}` : ''}
${costTable ? `<h3>Estimated cost of the ranked candidates${priced.length > REPORT_ROWS ? ` (the leading ${REPORT_ROWS}; every one in leaderboard.csv)` : ''}</h3>\n${costTable}` : ''}</section>`;
}

function modelsSection(r: RunReport): string {
  if (r.analysis.ranked.length === 0) return '';
  const m = r.models;
  const predict = m.predict ? `\n<p>Predict with it: <code>${escapeHtml(m.predict)}</code> (a CSV with the training columns, or NPY/NPZ arrays).</p>` : '';
  return `<section id="models"><h2>The models it saved</h2>
<p><strong>Final model</strong> — ${escapeHtml(m.final)}</p>${predict}
<p><strong>Per-candidate models</strong> — ${escapeHtml(m.candidates)}</p></section>`;
}

function kerasSection(r: RunReport): string {
  const rec = r.analysis.recommended;
  if (!r.keras || !rec) return '';
  return `<section id="keras"><h2>The recommended architecture in Keras</h2>
<p class="muted">A script that runs end to end: the data prepared as layerbench prepared it, then the same layers, settings and parameter count as the TensorFlow.js model layerbench trained.</p>
<pre><code>${escapeHtml(r.keras)}</code></pre></section>`;
}

/** The method notes, shared by report.html and report.md. */
export const METHOD_NOTES: readonly [string, string][] = [
  ['±', `${PLUS_MINUS}: ${PLUS_MINUS_NOTE}; the mean is rounded to the standard error's second significant digit. With one trial there is neither.`],
  [
    'Confidence interval',
    "95 % interval of the candidate's expected score, from the same corrected variance with t(0.975, J − 1), on the metric's scale: Wilson's score interval at the effective number of rows for accuracy (never outside 0–1), the log scale for errors and losses (never below 0). With one trial there is no interval.",
  ],
  [
    '≈ best',
    `Every candidate trains on the same splits, so its trials pair with the best's by (repeat, fold). The paired differences are tested with the Nadeau–Bengio corrected resampled t-test (variance × (1/J + n_val/n_train), J − 1 degrees of freedom), which accounts for overlapping training sets. "≈ best": the one-sided test does not find the candidate worse than the best (p ≥ ${SIGNIFICANCE}). Welch's unpaired test is used only where trials cannot be paired.`,
  ],
  ['Recommendation', DECISION_RULE],
  [
    'Outcomes',
    "recommend: the rule's choice. all-equivalent: every candidate beats the baseline and none is worse than the best — the smallest. undecided: the choice trails the best by more than the best's standard error but the test cannot call it worse — too few trials or rows; the report says how many would decide. baseline: no candidate beats the baseline — no network is recommended. single-draw: one trial per candidate, nothing tested. Beside these, the report says when the recommendation sits at the largest or smallest depth or width tried, and which values to add.",
  ],
  [
    'Baseline',
    'A model without a network on the very same splits (majority class, training mean, persistence "no change" or seasonal naive). A candidate beats it when the one-sided paired test finds it better (p < 0.05). "at or below baseline": not better on average over the same trials — a network that learned nothing the baseline does not know; "ns vs baseline": better on average, not significantly.',
  ],
  [
    TEST_LABEL,
    `Rows held out before anything else, never used for early stopping, ranking or the recommendation. The final model's interval is about that one model: the test rows' sampling error, from the spread of its per-row results over blocks of rows (consecutive blocks for rows in time order). The trial models' interval is about the architecture: that sampling error plus the retraining spread of the trial models' scores. The final model is also compared with the baseline fitted on the same rows, row by row on the same test rows (one-sided paired test, p < ${SIGNIFICANCE}: rows both get right or wrong cancel, as in McNemar's test); where older documents keep no per-row results of the baseline, the baseline's score is set against the model's interval. When the test finds the recommendation below the baseline, or cannot confirm a lead validation found, the answer says so first; the recommendation itself is never changed by the test.`,
  ],
  [
    'What mattered',
    "A depth's mean is the mean of its candidates over the widths trained at every depth (and a width's over the depths trained at every width), taken trial by trial on the shared folds and repeats, with a 95 % interval over the trials. A factor's effect is its best level against its worst, by the paired Nadeau–Bengio corrected t-test on those per-trial means, its p-value multiplied by the number of level pairs (Bonferroni, for picking the extremes); it mattered when that is below 0.05.",
  ],
  [
    'Underfitting',
    'Training metric at chance level; or too little capacity — only for a network smaller than the best whose validation score is significantly worse and whose training score is below the best validation score by more than the noise, and never while training was still improving.',
  ],
  [
    'Overfitting',
    'In most trials, on three-epoch means (so one noisy epoch is neither a minimum nor a rise): after the lowest validation loss, validation loss rose by at least 10 % by the end, the train–validation gap grew by more than 10 % of the validation loss, and the validation metric got worse.',
  ],
  [
    'Unfinished',
    'In most trials training ran to the epoch cap, the lowest validation loss came in the last 10 % of the epochs, and the mean validation metric of the last three epochs beat that of the three before by more than 0.5 %.',
  ],
];

function notesSection(): string {
  return `<section id="method"><h2>How to read this</h2><dl class="notes">
${METHOD_NOTES.map(([t, d]) => `<dt>${escapeHtml(t)}</dt><dd>${escapeHtml(d)}</dd>`).join('\n')}
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
<p class="meta">Run <code>${escapeHtml(r.runId)}</code>, ${escapeHtml(r.date.slice(0, 16).replace('T', ' '))} UTC · ${fmtInt(a.ranked.length)} candidate${a.ranked.length === 1 ? '' : 's'} ranked, ${fmtInt(a.failed.length)} failed</p>
${linksNav(r)}
${answerSection(r)}
<p class="protocol muted">${escapeHtml(protocolLine(r.spec, a.metric, a.higherIsBetter))}</p>
${effectsSection(r)}
${learningCurveHtml(r.learningCurve)}
${leaderboardSection(r)}
${a.ranked.length === 0 ? failuresSection(r) : ''}
${dataSection(r)}
${diagnosesSection(r)}
${chartsSection(r)}
${a.ranked.length > 0 ? failuresSection(r) : ''}
${searchSection(r)}
${modelsSection(r)}
${kerasSection(r)}
${notesSection()}
</main></body></html>
`;
}
