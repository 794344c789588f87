/**
 * `layerbench export keras <runId> [--candidate id] [--out file]`: a run's architecture as a Keras 3
 * script — the recommended candidate's by default (the same code as the report's and as model.py
 * beside the final model), or any ranked candidate's. The data part follows the saved preprocessing
 * of the model layerbench handed over, so `python model.py data.csv` prepares and splits the rows as
 * layerbench did.
 */
import { writeFile } from 'node:fs/promises';
import { DataError, NotFoundError, SpecError } from '../../errors.js';
import { analyzeRun } from '../../results/analysis.js';
import { readRunExtras } from '../../results/run-extras.js';
import { kerasCode } from '../../report/keras.js';
import { handedOverPreprocessing } from '../../report/run-report.js';
import { loadPreprocessing } from '../../artifacts/preprocessing.js';
import { readRunDocuments } from '../../steps/documents.js';
import { checkRunIdOption, readManifest } from '../../results/manifest.js';
import { openCheckedStore } from '../../store/open.js';
import { withActivity } from '../activity.js';

export interface ExportCommandOptions {
  store?: string;
  candidate?: string;
  out?: string;
  quiet?: boolean;
}

export const EXPORT_FORMATS = ['keras'] as const;

export async function exportCommand(format: string, runId: string, opts: ExportCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new SpecError(`format: must be ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  checkRunIdOption(runId, 'runId');
  const store = await openCheckedStore(opts.store);
  const manifest = await readManifest(store, runId);
  const spec = manifest.sweep;
  // A run of thousands of candidates takes seconds to read.
  const { docs, extras } = await withActivity(opts, async (activity) => {
    activity.phase(`reading run ${runId}'s ${manifest.candidates.length} candidate documents`);
    return { docs: (await readRunDocuments(store, manifest)).docs, extras: await readRunExtras(store, runId) };
  });
  const analysis = analyzeRun(docs, spec, extras);
  const ranked = (id: string) => analysis.ranked.find((c) => c.id === id);
  let chosen = analysis.recommended;
  if (opts.candidate !== undefined) {
    chosen = ranked(opts.candidate) ?? null;
    if (!chosen) {
      throw new SpecError(
        `--candidate: ${JSON.stringify(opts.candidate)} is not a ranked candidate of run ${runId} (ranked: ${
          analysis.ranked
            .slice(0, 10)
            .map((c) => c.id)
            .join(', ') || 'none'
        }${analysis.ranked.length > 10 ? ', …' : ''})`,
      );
    }
  }
  if (!chosen) {
    throw new DataError(
      `run ${runId} recommends no candidate (${analysis.ranked.length === 0 ? 'none was ranked' : 'none beats the baseline'}); name one with --candidate${analysis.best ? `, e.g. the best-ranked ${analysis.best.id}` : ''}`,
    );
  }
  if (chosen.doc.layers.length === 0) throw new DataError(`candidate ${chosen.id}: its document records no layers (a run made before layerbench kept them)`);
  const prep =
    chosen.id === analysis.recommended?.id
      ? await handedOverPreprocessing(store, runId, analysis, extras)
      : chosen.doc.savedModel
        ? await loadPreprocessing(store, chosen.doc.savedModel.preprocessingKey.replace(/preprocessing\.json$/, '')).catch((e: unknown) => {
            if (e instanceof NotFoundError) return null; // an older run: the script then says what X and y must be
            throw e;
          })
        : null;
  const code = kerasCode(chosen.doc, spec, prep);
  if (opts.out) {
    try {
      await writeFile(opts.out, code);
    } catch (err) {
      throw new DataError(`--out ${opts.out}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
    }
    if (!opts.quiet) process.stderr.write(`${chosen.label} (${chosen.id}) as Keras: ${opts.out} — run it with: python ${opts.out} <data>\n`);
  } else out.write(code);
}
