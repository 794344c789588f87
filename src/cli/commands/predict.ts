/**
 * `layerbench predict <runId> <file> [--store uri] [--candidate id] [--out file]`: predictions from a
 * run's final model (or one candidate's saved model) for the rows of a CSV, NPY or NPZ file, prepared
 * with the preprocessing saved beside the model. Writes CSV (to --out, else stdout); when the file holds
 * the target, also the sweep's ranking metric. Bad input — an unknown run, a run without a final model,
 * a file without the training columns, a category never seen in training, a file of the wrong type —
 * is one line and exit 2, and nothing is written.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { DataError, SpecError } from '../../errors.js';
import { fileType, loadPredictor, predictionCsv, UNKNOWN_CATEGORY_POLICIES, type Prediction, type UnknownCategoryPolicy } from '../../artifacts/predictor.js';
import { checkRunIdOption } from '../../results/manifest.js';
import { openStore } from '../../store/open.js';

export interface PredictCommandOptions {
  store?: string;
  candidate?: string;
  out?: string;
  json?: boolean;
  backend?: string;
  unknownCategories?: string;
  quiet?: boolean;
}

export interface PredictStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The metric line: `accuracy on the 292 rows whose target the file holds: 0.8425`. */
export function metricLine(metric: NonNullable<Prediction['metric']>, what: string): string {
  return `${metric.name} on the ${metric.samples} ${what}${metric.samples === 1 ? '' : 's'} whose target the file holds: ${Number(metric.value.toPrecision(6))}`;
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    const info = await stat(file);
    if (!info.isFile() && !info.isDirectory()) throw new DataError(`${file}: not a regular file`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (err as Error).message}`, err);
  }
}

/** Run `predict`; returns the exit code (0). Bad input throws a LayerbenchError (exit 2) before anything is written. */
export async function predictCommand(runId: string, file: string, opts: PredictCommandOptions, io: PredictStreams = process): Promise<number> {
  const policy = opts.unknownCategories ?? 'error';
  if (!(UNKNOWN_CATEGORY_POLICIES as readonly string[]).includes(policy)) {
    throw new SpecError(`--unknown-categories: must be ${UNKNOWN_CATEGORY_POLICIES.join(' or ')}, got ${JSON.stringify(policy)}`);
  }
  checkRunIdOption(runId, 'runId');
  fileType(file); // the wrong kind of file is named before any model is loaded
  const bytes = await readInput(file);
  const store = openStore(opts.store);
  const predictor = await loadPredictor(store, runId, { ...(opts.candidate ? { candidate: opts.candidate } : {}), ...(opts.backend ? { backend: opts.backend } : {}) });
  let prediction: Prediction;
  try {
    prediction = await predictor.predictFile(bytes, file, { unknownCategories: policy as UnknownCategoryPolicy });
  } finally {
    predictor.dispose();
  }
  const csv = predictionCsv(prediction);
  const what = predictor.preprocessing.input.kind === 'series' ? 'window' : predictor.preprocessing.input.kind === 'array' ? 'sample' : 'row';
  if (opts.out) {
    try {
      await writeFile(opts.out, csv);
    } catch (err) {
      throw new DataError(`--out ${opts.out}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
    }
  }
  const say = (line: string) => {
    if (!opts.quiet) io.stderr.write(`${line}\n`);
  };
  for (const w of prediction.warnings) say(`layerbench: warning: ${w}`);
  if (opts.json) {
    const doc = {
      runId,
      model: predictor.saved,
      input: file,
      samples: prediction.rows.length,
      columns: prediction.header,
      metric: prediction.metric,
      unknownCategories: prediction.unknown,
      warnings: prediction.warnings,
      ...(opts.out ? { out: opts.out } : { predictions: prediction.rows.map((r) => Object.fromEntries(prediction.header.map((h, i) => [h, r[i]]))) }),
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  const summary = [
    `${prediction.rows.length} prediction${prediction.rows.length === 1 ? '' : 's'} from ${predictor.saved.description}${opts.out ? `: ${opts.out}` : ''}`,
    ...(prediction.metric ? [metricLine(prediction.metric, what)] : []),
  ];
  if (opts.out) io.stdout.write(`${summary.join('\n')}\n`);
  else {
    io.stdout.write(csv);
    for (const line of summary) say(line);
  }
  return 0;
}
