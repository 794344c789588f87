/**
 * Report: per run that Aggregate ranked, read its candidate documents again and write
 * `runs/<runId>/report.{html,md}` (which depth and width, how sure, and what the saved models are)
 * and the run's history entry. Once Finalize saved the final model, the leaderboard is written again
 * so that it carries the final model's test score. A duplicated run is passed on untouched. Whatever a
 * state between Aggregate and Report adds to a run summary is passed on too.
 */
import { FINAL_MODEL_SCHEMA, type FinalModelDoc } from '../results/final-model.js';
import { readRunExtras, type RunExtras } from '../results/run-extras.js';
import { drawRunFiguresAhead, writeRunReport } from '../report/run-report.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { writeLeaderboard } from './aggregate.js';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import type { Leaderboard } from '../results/leaderboard.js';
import { getJson } from '../store/store.js';
import { caughtReason } from './record-failure.js';
import { readRunDocuments } from './documents.js';
import { readHalvingState, splitByRung } from '../results/halving.js';
import { priceTable, type PriceTable } from '../cost/prices.js';
import { readManifest } from '../results/manifest.js';
import { parsePayload, reportInputSchema, type FinalizeInput, type Regression, type ReportInput, type ReportOutput, type RunSummary } from './types.js';

export interface ReportOptions {
  now?: Date;
  /** The price table of the rewritten leaderboard's cost (default: the table in the code). */
  prices?: PriceTable;
}

export async function report(store: Store, payload: ReportInput, opts: ReportOptions = {}): Promise<ReportOutput> {
  const input = parsePayload(reportInputSchema, payload, 'Report');
  const runs: RunSummary[] = [];
  for (const run of input.runs) {
    if (run.duplicate) runs.push(await duplicateRun(store, run));
    else runs.push(await reportRun(store, withFinalizeFailure(run, input.finalizeError), opts.now ?? new Date(), opts.prices ?? priceTable()));
  }
  return { runs };
}

/**
 * The reports' figures drawn ahead, while Finalize refits (the local runner runs it in a worker
 * process, so this process would wait idle): the report then finds them drawn. Only what the store
 * holds before the final model is used, so a figure that the final model changes is drawn again.
 */
export async function drawReportsAhead(store: Store, payload: FinalizeInput): Promise<void> {
  for (const run of payload.runs) {
    if (run.duplicate) continue;
    const manifest = await readManifest(store, run.runId);
    const read = await readRunDocuments(store, manifest);
    const extras = await readRunExtras(store, run.runId);
    const { ranked: docs } = splitByRung(read.docs, await readHalvingState(store, run.runId));
    await drawRunFiguresAhead(store, run.runId, manifest.sweep, docs, extras);
  }
}

/**
 * When the Finalize state failed outright (its Catch passed Aggregate's runs on with the error), each
 * run it did not finish gets the failure and its reason: the report says the final model failed and why.
 */
function withFinalizeFailure(run: RunSummary, error: ReportInput['finalizeError']): RunSummary {
  if (!error || run.finalModel) return run;
  return { ...run, finalModel: { key: keys.finalModelDoc(run.runId), status: 'failed', error: `the Finalize step failed: ${caughtReason(error)}` } };
}

/** A failed final.json for a Finalize that could not write its own (what the report then shows). */
function caughtFinal(run: RunSummary, at: Date): FinalModelDoc {
  return {
    schema: FINAL_MODEL_SCHEMA,
    runId: run.runId,
    candidateId: run.recommended ?? '',
    status: 'failed',
    error: { code: 'E_TASK_FAILED', message: run.finalModel?.error ?? 'the Finalize step failed' },
    epochs: 0,
    trainRows: 0,
    test: null,
    keys: {},
    backend: 'none',
    fitSeconds: 0,
    finishedAt: at.toISOString(),
  };
}

async function reportRun(store: Store, run: RunSummary, now: Date, prices: PriceTable): Promise<RunSummary> {
  const manifest = await readManifest(store, run.runId);
  const read = await readRunDocuments(store, manifest);
  const stored = await readRunExtras(store, run.runId);
  const extras: RunExtras = { ...stored, final: stored.final ?? (run.finalModel?.status === 'failed' ? caughtFinal(run, now) : null) };
  const leaderboard = stored.final?.status === 'succeeded' ? (await writeLeaderboard(store, manifest, read, extras, now, prices)).leaderboard : await readLeaderboardIfAny(store, run.runId);
  // A halving run's report ranks the candidates of the last round reached (the others stopped at a rung).
  const { ranked: docs } = splitByRung(read.docs, await readHalvingState(store, run.runId));
  const written = await writeRunReport(store, run.runId, manifest.sweep, docs, { extras, leaderboard });
  const c = written.comparison;
  const regression: Regression | undefined =
    c?.metricDropped && c.previous && c.threshold !== null
      ? {
          previousRunId: c.previous.runId,
          metric: c.previous.metric.name,
          previous: c.previous.metric.mean,
          current: run.best?.value ?? Number.NaN,
          threshold: c.threshold,
          message: c.message,
        }
      : undefined;
  return {
    ...run,
    reportKey: written.htmlKey,
    ...(written.recommended && !run.recommended ? { recommended: written.recommended } : {}),
    ...(written.historyKey ? { historyKey: written.historyKey } : {}),
    ...(regression ? { regression } : {}),
    ...(written.warnings ? { warnings: [...(run.warnings ?? []), ...written.warnings] } : {}),
  };
}

/** Aggregate's leaderboard (its search and cost for the report); null when there is none or it cannot be read. */
async function readLeaderboardIfAny(store: Store, runId: string): Promise<Leaderboard | null> {
  const key = keys.leaderboard(runId, 'json');
  if (!(await store.exists(key))) return null;
  try {
    return parseLeaderboard(await getJson(store, key), key);
  } catch {
    return null; // the report stands without the section
  }
}

/** The EventBridge events a report announces: one "Sweep Regressed" per run that regressed beyond noise. */
export function regressionEvents(output: ReportOutput): { source: 'layerbench'; detailType: 'Sweep Regressed'; detail: Record<string, unknown> }[] {
  return output.runs
    .filter((r): r is RunSummary & { regression: Regression } => r.regression !== undefined)
    .map((r) => ({
      source: 'layerbench',
      detailType: 'Sweep Regressed',
      detail: { sweep: r.sweep, runId: r.runId, reportKey: r.reportKey, ...r.regression },
    }));
}

/** A duplicated execution writes nothing; it names the report the first execution wrote, if there is one yet. */
async function duplicateRun(store: Store, run: RunSummary): Promise<RunSummary> {
  const key = keys.report(run.runId, 'html');
  return (await store.exists(key)) ? { ...run, reportKey: key } : run;
}
