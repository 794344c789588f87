/**
 * The model card: runs/<runId>/model/README.md, beside the final model. It says what the model is (the
 * architecture, what it was trained on and for how long), what goes in (the columns, their kinds and
 * how each is prepared, with the statistics), what comes out (classes or units), how well it does
 * (validation over the candidate's trials with an interval; the test split, never used for choosing),
 * and how to predict with it from the command line, from Node and from a browser.
 */
import { MISSING_CATEGORY, OTHER_CATEGORY, type Preprocessing } from '../data/preprocessing-schema.js';
import type { CandidateDoc } from '../results/document.js';
import type { FinalModelDoc } from '../results/final-model.js';
import { rankingMetric, type SweepSpec } from '../sweep/schema.js';
import type { RunManifest } from '../results/manifest.js';
import { fmtInterval, fmtMeanSe, fmtValue, PLUS_MINUS_NOTE } from '../format.js';
import { finalModelTest, scoreSummary, trialModelsTest, trialPoints, type TestScore } from '../results/analysis.js';

export interface ModelCardInput {
  manifest: Pick<RunManifest, 'runId' | 'sweep' | 'dataset'>;
  candidateDoc: CandidateDoc;
  final: FinalModelDoc;
  preprocessing: Preprocessing;
}

const int = (x: number) => x.toLocaleString('en-US');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** A single value with no interval to round it to (four significant digits). */
const value = fmtValue;
/** A statistic quoted for someone to reproduce the preprocessing (means, medians): six significant digits. */
const stat = (x: number) => String(Number(x.toPrecision(6)));

/** A test score and its interval as table cells (the report's one meaning of ± and of the interval). */
function testCells(t: TestScore): [string, string] {
  return [fmtMeanSe(t.score, t.se), t.ci ? fmtInterval(t.ci, t.se) : 'no interval (no per-row results kept)'];
}

function architecture(doc: CandidateDoc): string {
  const layers = doc.layers
    .filter((l) => l.type !== 'InputLayer')
    .map((l) => {
      const c = l.config;
      const units = c['units'] ?? c['filters'] ?? c['rate'];
      const act = typeof c['activation'] === 'string' && c['activation'] !== 'linear' ? `, ${c['activation']}` : '';
      return units !== undefined ? `${l.type}(${String(units)}${act})` : l.type;
    });
  return layers.join(' → ');
}

function sampleWord(prep: Preprocessing): string {
  return prep.input.kind === 'series' ? 'windows' : prep.input.kind === 'array' ? 'samples' : 'rows';
}

const DATE_PART_WORDS: Record<string, string> = {
  year: 'the position in the year (day of the year and time of day over 365 or 366 days)',
  week: 'the position in the week (days since Sunday and time of day over 7)',
  day: 'the time of day',
};

/** The inputs, one table row each, with how they are prepared. */
function inputsSection(prep: Preprocessing): string[] {
  const out: string[] = [];
  const input = prep.input;
  const markers = prep.missingMarkers.map((m) => (m === '' ? 'an empty cell' : code(m))).join(', ');
  switch (input.kind) {
    case 'tabular':
      out.push(
        `A CSV (or records) with these columns, found by name in any order; other columns are ignored. Missing cells are ${markers} (ignoring case)` +
          `${prep.missing === 'impute' ? ', imputed as below' : `: the model was trained with dataset.missing ${code(prep.missing)}, so a missing cell is an error`}.`,
        '',
        '| column | kind | prepared as |',
        '|---|---|---|',
      );
      for (const f of input.features) {
        if (f.kind === 'numeric' && f.from) {
          const miss = f.impute === null ? '' : `; a missing date gives the training median ${stat(f.impute)}${f.indicator ? `, and the input ${code(`${f.name} (missing)`)} is 1` : ''}`;
          const turn = DATE_PART_WORDS[f.from.part.split('_')[0]!];
          out.push(
            `| ${cell(f.from.column)} → ${cell(f.name)} | date (${f.from.format}) | ${f.from.part.endsWith('sin') ? 'sin' : 'cos'} of 2π × ${turn}, then (x − ${stat(f.mean)}) / ${stat(f.std)}${cell(miss)} |`,
          );
        } else if (f.kind === 'numeric') {
          const miss = f.impute === null ? '' : `; a missing cell is the training median ${stat(f.impute)}${f.indicator ? `, and the input ${code(`${f.name} (missing)`)} is 1` : ''}`;
          out.push(`| ${cell(f.name)} | number | (x − ${stat(f.mean)}) / ${stat(f.std)}${cell(miss)} |`);
        } else {
          const inactive = f.inactive.length ? `; never seen in the training rows, so ${f.other ? code(OTHER_CATEGORY) : 'all zeros'}: ${f.inactive.join(', ')}` : '';
          const missing = f.categories.includes(MISSING_CATEGORY) ? `; a missing cell is ${code(MISSING_CATEGORY)}` : '';
          const rest = f.other ? `any other value, one never seen in training too, is ${code(OTHER_CATEGORY)}` : 'any other category is all zeros';
          out.push(`| ${cell(f.name)} | category | one input per category, in this order: ${cell(f.categories.join(', '))}${cell(missing + inactive)}; ${rest} |`);
        }
      }
      break;
    case 'series':
      out.push(
        `A CSV time series: rows are sorted by ${code(input.time)}; each window is ${input.lookback} consecutive rows and predicts the target ${input.horizon} row${input.horizon === 1 ? '' : 's'} after its last row. Each row gives ${input.features.length} channel${input.features.length === 1 ? '' : 's'} per time step, in this order:`,
        '',
        '| channel | prepared as |',
        '|---|---|',
      );
      for (const f of input.features) {
        const miss = f.impute === null ? '' : `; a missing cell is the training median ${stat(f.impute)}${f.indicator ? `, and the channel ${code(`${f.name} (missing)`)} is 1` : ''}`;
        out.push(`| ${cell(f.name)} | (x − ${stat(f.mean)}) / ${stat(f.std)}${cell(miss)} |`);
      }
      break;
    case 'array':
      out.push(
        `Arrays (${code(input.array)} in an .npz, or an .npy) of samples shaped (${input.shape.join(', ')}), dtype ${input.dtype} in training. Every value is multiplied by ${input.scale === 1 ? '1' : `1/${Math.round(1 / input.scale)}`}` +
          `${input.standardise ? ', then standardised per feature with the training means and standard deviations in preprocessing.json' : ''}.`,
      );
      break;
  }
  out.push('');
  const t = prep.target;
  if (t.kind === 'classes') {
    out.push(
      prep.task === 'binary'
        ? `**Output**: one number, the probability of ${code(t.classes[1]!)} (target ${code(t.name)}); the prediction is ${code(t.classes[1]!)} above 0.5, else ${code(t.classes[0]!)}.`
        : `**Output**: ${t.classes.length} probabilities (softmax), one per class of ${code(t.name)} in this order: ${t.classes.join(', ')}; the prediction is the most probable.`,
    );
  } else {
    const unit = t.unit ? ` ${t.unit}` : '';
    const each = t.names.map((n, k) => `${code(n)}: output × ${stat(t.std[k]!)} + ${stat(t.mean[k]!)}${unit}`).join('; ');
    out.push(`**Output**: standardised; in the target's units ${each}.`);
  }
  return out;
}

function metricsSection(input: ModelCardInput, metric: string): string[] {
  const { candidateDoc: doc, final } = input;
  const validation = scoreSummary(metric, trialPoints(doc));
  const trialsTest = trialModelsTest(doc, metric);
  const finalTest = finalModelTest(final, metric);
  const unit =
    input.preprocessing.target.kind === 'numeric' && input.preprocessing.target.unit && metric !== 'accuracy' && metric !== 'loss'
      ? ` (${input.preprocessing.target.unit}${metric === 'mse' ? '²' : ''})`
      : '';
  const out = [
    `${metric}${unit}; ${PLUS_MINUS_NOTE}; intervals are 95 %, on the metric's scale. The validation and trial-model intervals are about this architecture trained again; the final model's is about this model on new rows like the test rows.`,
    '',
    `| | ${metric} | 95 % interval | ${sampleWord(input.preprocessing)} |`,
    '|---|--:|--:|--:|',
    `| validation, the candidate's ${doc.trials.length} trial${doc.trials.length === 1 ? '' : 's'} (chose it) | ${fmtMeanSe(validation.mean, validation.se)} | ${validation.ci ? fmtInterval(validation.ci, validation.se) : 'no interval (one trial)'} | ${int(doc.trials[0]?.valRows ?? 0)} each |`,
  ];
  if (trialsTest) {
    const [score, ci] = testCells(trialsTest);
    out.push(`| test — never used for choosing: the trials' models | ${score} | ${ci} | ${int(trialsTest.rows)} |`);
  }
  if (finalTest) {
    const [score, ci] = testCells(finalTest);
    out.push(`| **test — never used for choosing: this final model** | **${score}** | ${ci} | ${int(finalTest.rows)} |`);
  } else out.push('| test | no test split (evaluation.test 0) | | |');
  if (final.trainMetric !== undefined) out.push(`| its own training ${sampleWord(input.preprocessing)} (not an estimate) | ${value(final.trainMetric)} | | ${int(final.trainRows)} |`);
  return out;
}

/** A date in each format layerbench reads (src/data/dates.ts), for the example record. */
const EXAMPLE_DATES = { ymd: '2024-06-15', ym: '2024-06', dmy: '15.06.2024', mdy: '06/15/2024', mon: 'Jun 15 2024' } as const;

function exampleRecord(prep: Preprocessing): string {
  if (prep.input.kind !== 'tabular') return '';
  const seen = new Set<string>();
  const fields = prep.input.features.flatMap((f) => {
    const name = f.kind === 'numeric' && f.from ? f.from.column : f.name;
    if (seen.has(name)) return [];
    seen.add(name);
    const v =
      f.kind === 'numeric' && f.from
        ? JSON.stringify(EXAMPLE_DATES[f.from.format])
        : f.kind === 'numeric'
          ? stat(f.impute ?? f.mean)
          : JSON.stringify(f.categories.find((c) => c !== MISSING_CATEGORY && c !== OTHER_CATEGORY) ?? '');
    return [`${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}: ${v}`];
  });
  return `{ ${fields.join(', ')} }`;
}

function nodeSection(input: ModelCardInput): string[] {
  const { runId } = input.manifest;
  const prep = input.preprocessing;
  const call =
    prep.input.kind === 'tabular'
      ? `const { header, rows, metric } = await predictor.predictRecords([${exampleRecord(prep)}]);`
      : `const { header, rows, metric } = await predictor.predictFile(await readFile('new-${prep.input.kind === 'series' ? 'rows.csv' : 'samples.npz'}'), 'new-${prep.input.kind === 'series' ? 'rows.csv' : 'samples.npz'}');`;
  return [
    '```sh',
    `npx layerbench predict ${runId} new-${prep.input.kind === 'array' ? 'samples.npz' : 'rows.csv'} --out predictions.csv   # add --store <dir or s3://bucket/prefix> if the run is not in .layerbench/store`,
    '```',
    '',
    'From a Node program or a Lambda (in a clone of layerbench; `npx tsx my-script.ts`):',
    '',
    '```ts',
    ...(prep.input.kind === 'tabular' ? [] : ["import { readFile } from 'node:fs/promises';"]),
    "import { loadPredictor, openStore } from './src/index.ts';",
    '',
    `const predictor = await loadPredictor(openStore('.layerbench/store'), '${runId}');`,
    call,
    'console.log(header, rows); // rows: [row, ...predictions]; metric when the input holds the target',
    'predictor.dispose();',
    '```',
  ];
}

/** Plain JavaScript that reads a date cell as src/data/dates.ts does (its wall clock) and computes one cyclic part. */
const BROWSER_DATES = String.raw`const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** A date cell as layerbench reads it, in the format preprocessing.json names: [year, month, day, seconds into the day]. */
function wallClock(cell, format) {
  const time = String.raw${'`'}(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$${'`'};
  let m = null;
  let ymd = null;
  if (format === 'ymd' && (m = new RegExp(String.raw${'`'}^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${'`'} + time).exec(cell))) ymd = [m[1], m[2], m[3], 4];
  else if (format === 'ym' && (m = /^(\d{4})-(\d{1,2})$/.exec(cell))) ymd = [m[1], m[2], 1, 3];
  else if ((format === 'dmy' || format === 'mdy') && (m = new RegExp(String.raw${'`'}^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})${'`'} + time).exec(cell))) ymd = format === 'dmy' ? [m[3], m[2], m[1], 4] : [m[3], m[1], m[2], 4];
  else if (format === 'mon' && (m = new RegExp(String.raw${'`'}^(?:([A-Za-z]{3,9})\.?\s+(\d{1,2}),?|(\d{1,2})\s+([A-Za-z]{3,9})\.?,?)\s+(\d{4})${'`'} + time).exec(cell))) ymd = [m[5], MONTHS.indexOf((m[1] || m[4]).slice(0, 3).toLowerCase()) + 1, m[2] || m[3], 6];
  if (!ymd) throw new Error(cell + ': not a date (' + format + ')');
  const [h, mi, s, frac] = m.slice(ymd[3]);
  return [Number(ymd[0]), Number(ymd[1]), Number(ymd[2]), Number(h || 0) * 3600 + Number(mi || 0) * 60 + Number(s || 0) + (frac ? Number('0.' + frac) : 0)];
}
/** One cyclic part of a date: sin or cos of its position in the year, the week (Sunday first) or the day. */
function datePart(part, [y, mo, d, seconds]) {
  const midnight = Date.UTC(y, mo - 1, d);
  const day = seconds / 86400;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const turn = part.startsWith('year') ? ((midnight - Date.UTC(y, 0, 1)) / 86400000 + day) / (leap ? 366 : 365) : part.startsWith('week') ? (new Date(midnight).getUTCDay() + day) / 7 : day;
  return part.endsWith('sin') ? Math.sin(2 * Math.PI * turn) : Math.cos(2 * Math.PI * turn);
}`.split('\n');

/** Plain JavaScript that prepares inputs exactly as preprocess.ts does, for the model's kind of input. */
export function browserEncoder(prep: Preprocessing): string {
  const common = [
    'const missing = new Set(prep.missingMarkers.map((m) => m.toLowerCase()));',
    'const isMissing = (v) => v === null || v === undefined || missing.has(String(v).trim().toLowerCase());',
    '/** A number cell, its (training-median) imputation and standardisation; `f` is a numeric feature of preprocessing.json. */',
    'function numeric(f, v, out) {',
    '  const gone = isMissing(v);',
    '  if (gone && f.impute === null) throw new Error(`${f.name}: missing, and the model was trained without imputation`);',
    '  out.push(((gone ? f.impute : Number(String(v).trim())) - f.mean) / f.std);',
    '  if (f.indicator) out.push(gone ? 1 : 0);',
    '}',
  ];
  switch (prep.input.kind) {
    case 'tabular':
      return [
        ...common,
        ...(prep.input.features.some((f) => f.kind === 'numeric' && f.from) ? BROWSER_DATES : []),
        '/** Rows ({ column: value }) as the model input. */',
        'function encode(rows) {',
        '  return tf.tensor2d(rows.map((row) => {',
        '    const out = [];',
        '    for (const f of prep.input.features) {',
        "      if (f.kind === 'numeric' && f.from) { const v = row[f.from.column]; numeric(f, isMissing(v) ? null : datePart(f.from.part, wallClock(String(v).trim(), f.from.format)), out); continue; }",
        "      if (f.kind === 'numeric') { numeric(f, row[f.name], out); continue; }",
        `      const c = isMissing(row[f.name]) ? '${MISSING_CATEGORY}' : String(row[f.name]).trim();`,
        '      let k = f.inactive.includes(c) ? -1 : f.categories.indexOf(c);',
        "      if (k < 0 && f.other) k = f.categories.length - 1; // a capped column: any other value is '(other)'",
        '      f.categories.forEach((_, j) => out.push(j === k ? 1 : 0));',
        '    }',
        '    return out;',
        '  }));',
        '}',
      ].join('\n');
    case 'series':
      return [
        ...common,
        '/** The last `lookback` rows ({ column: value }, in time order) as one window: the model input. */',
        'function encode(rows) {',
        '  const last = rows.slice(-prep.input.lookback);',
        '  if (last.length < prep.input.lookback) throw new Error(`a window needs ${prep.input.lookback} rows`);',
        '  return tf.tensor3d([last.map((row) => {',
        '    const out = [];',
        '    for (const f of prep.input.features) numeric(f, row[f.name], out);',
        '    return out;',
        '  })]);',
        '}',
      ].join('\n');
    case 'array':
      return [
        '/** Samples (flat arrays of prod(shape) values, e.g. pixels 0–255) as the model input. */',
        'function encode(samples) {',
        '  const { shape, scale, standardise } = prep.input;',
        '  return tf.tensor(samples.map((s) => Array.from(s, (v, j) => (standardise ? (v * scale - standardise.mean[j]) / standardise.std[j] : v * scale))), [samples.length, ...shape]);',
        '}',
      ].join('\n');
  }
}

/** Plain JavaScript that turns the model's outputs into predictions in the original units. */
export function browserDecoder(prep: Preprocessing): string {
  const t = prep.target;
  if (t.kind === 'classes' && prep.task === 'binary') {
    return [
      '/** Outputs (n × 1) as { prediction, probabilities }. */',
      'const decode = (outputs) => outputs.map(([p]) => ({ prediction: prep.target.classes[p > 0.5 ? 1 : 0], probabilities: [1 - p, p] }));',
    ].join('\n');
  }
  if (t.kind === 'classes') {
    return [
      '/** Outputs (n × classes) as { prediction, probabilities }. */',
      'const decode = (outputs) => outputs.map((p) => ({ prediction: prep.target.classes[p.indexOf(Math.max(...p))], probabilities: p }));',
    ].join('\n');
  }
  return ['/** Outputs (n × targets) in the targets’ original units. */', 'const decode = (outputs) => outputs.map((o) => o.map((v, k) => v * prep.target.std[k] + prep.target.mean[k]));'].join('\n');
}

function browserExample(prep: Preprocessing): string {
  switch (prep.input.kind) {
    case 'tabular':
      return `console.log(decode(await predict([${exampleRecord(prep)}])));`;
    case 'series':
      return '// rows: at least lookback objects { column: value } in time order, e.g. parsed from a CSV\nconsole.log(decode(await predict(rows)));';
    case 'array':
      return '// samples: flat arrays, e.g. the red channel of a canvas ImageData for a 28 × 28 digit\nconsole.log(decode(await predict(samples)));';
  }
}

function browserSection(prep: Preprocessing): string[] {
  return [
    'In a browser: serve this directory (model.json, weights.bin, preprocessing.json) over HTTP, then',
    '',
    '```html',
    '<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"></script>',
    '<script type="module">',
    "const base = './'; // where model.json, weights.bin and preprocessing.json are served",
    "const [model, prep] = await Promise.all([tf.loadLayersModel(base + 'model.json'), fetch(base + 'preprocessing.json').then((r) => r.json())]);",
    browserEncoder(prep),
    browserDecoder(prep),
    'async function predict(inputs) {',
    '  const x = encode(inputs);',
    '  const y = model.predict(x);',
    '  const outputs = await y.array();',
    '  tf.dispose([x, y]);',
    '  return outputs;',
    '}',
    browserExample(prep),
    '</script>',
    '```',
  ];
}

/** The model card, Markdown. */
export function modelCard(input: ModelCardInput): string {
  const { manifest, candidateDoc: doc, final, preprocessing: prep } = input;
  const spec: SweepSpec = manifest.sweep;
  const metric = rankingMetric(spec);
  const c = doc.candidate;
  const word = sampleWord(prep);
  const t = spec.training;
  const epochsWhy =
    final.bestEpochs && final.bestEpochs.length > 0
      ? `the median of the epochs early stopping kept in its ${final.bestEpochs.length} trial${final.bestEpochs.length === 1 ? '' : 's'} (${final.bestEpochs.join(', ')})`
      : 'the median of the epochs its trials kept';
  const testLine = final.test
    ? `${int(final.test.rows)} ${word}${final.testRule ? `, ${final.testRule}` : ''} — never used for choosing, for early stopping or for this refit`
    : 'none (evaluation.test 0): there is no estimate on unseen data';
  const target = prep.target.kind === 'classes' ? prep.target.name : prep.target.names.join(', ');
  const lines: string[] = [
    `# Final model — ${spec.name}, run ${manifest.runId}`,
    '',
    `The network layerbench recommends for this data, trained once more on all the data used for choosing it. Load it with TensorFlow.js and prepare inputs with preprocessing.json as below — or let \`layerbench predict\` / \`loadPredictor\` do both.`,
    '',
    '| | |',
    '|---|---|',
    `| architecture | ${c.family} network, depth ${c.depth}, width ${c.width} (candidate ${code(c.id)}): ${cell(architecture(doc))}; ${int(final.parameterCount ?? doc.parameterCount ?? 0)} parameters |`,
    `| trained on | ${int(final.trainRows)} ${word} — every one but the test split — for ${final.epochs} epoch${final.epochs === 1 ? '' : 's'}, ${epochsWhy} |`,
    `| data | ${code(manifest.dataset.key)}, version ${code(manifest.dataset.version)} (${prep.source.format}); task ${prep.task}, target ${code(target)} |`,
    `| test split | ${testLine} |`,
    `| trained with | TensorFlow.js (${final.backend}), seed ${t.seed}, ${t.optimizer} at learning rate ${t.learningRate}, batch ${t.batchSize}, ${final.fitSeconds.toFixed(1)} s |`,
    '| files | model.json + weights.bin (a TensorFlow.js layers model), preprocessing.json (`layerbench.preprocessing.v2`), final.json (`layerbench.final.v1`), this card |',
    '',
    "The per-candidate models under `runs/<run>/models/<candidate>/` are different: each is one trial's kept weights, trained on that trial's training rows only.",
    '',
    '## Metrics',
    '',
    ...metricsSection(input, metric),
    '',
    '## Inputs and preprocessing',
    '',
    ...inputsSection(prep),
    '',
    '## Predict',
    '',
    ...nodeSection(input),
    '',
    ...browserSection(prep),
    '',
  ];
  return lines.join('\n');
}
