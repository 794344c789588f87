/**
 * Progress of a run on stderr, fed by the runner's progress events. On a terminal: a bar with
 * candidates done / failed and an ETA, each failure and retry as it happens, and the steps after
 * training. Piped or redirected (CI logs, `2>&1 | cat`): only the start line, the plan's warnings
 * and skipped sweeps, and one end line with the counts — the result on stdout lists every failure
 * with its reason. Nothing at all with --quiet. Lines wrap at 100 columns.
 */
import cliProgress from 'cli-progress';
import { wrapLine } from '../report/wrap.js';
import type { ProgressEvent } from '../workflow/local.js';

export interface ProgressDisplay {
  onProgress(event: ProgressEvent): void;
  stop(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Remaining time if the rest goes at the pace so far (candidates run in parallel, so pace is per run). */
export function estimateRemaining(elapsedSeconds: number, done: number, total: number): number {
  if (done === 0) return Number.NaN;
  return (elapsedSeconds / done) * (total - done);
}

export function createProgressDisplay(opts: { stream?: NodeJS.WriteStream; workers?: number; quiet?: boolean } = {}): ProgressDisplay {
  if (opts.quiet) return { onProgress: () => undefined, stop: () => undefined };
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  let total = 0;
  /** Candidates the plan trains, and the rounds so far (a halving run trains its promoted again). */
  let candidates = 0;
  let rounds = 1;
  let done = 0;
  let failed = 0;
  let started = Date.now();
  let planned = false;
  let ended = false;
  /** Seconds from the start to the last ranking (halving ranks after each round): the training. */
  let trainedFor: number | undefined;
  let multi: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  const line = (text: string) => stream.write(`${wrapLine(text)}\n`);
  // On a terminal every line; piped, only the start and end lines and warnings.
  const chatter = (text: string) => {
    if (!tty) return;
    if (multi) multi.log(`${wrapLine(text)}\n`);
    else line(text);
  };
  const elapsed = () => (Date.now() - started) / 1000;
  const stopBar = () => {
    // A redraw first: it writes the lines logged since the last one (a failure just before the end).
    multi?.update();
    multi?.stop();
    multi = undefined;
    bar = undefined;
  };
  const eta = () => (done === total ? '0s' : formatDuration(estimateRemaining(elapsed(), done, total)));

  return {
    onProgress(e) {
      switch (e.type) {
        case 'planned': {
          total = e.total;
          candidates = e.total;
          started = Date.now();
          planned = true;
          const runs = e.plan.runs.map((r) => r.runId).join(', ') || 'no run';
          for (const s of e.plan.skipped ?? []) line(`skipped ${s.key}: ${s.reason}`);
          for (const w of e.plan.warnings ?? []) line(`warning: ${w}`);
          const already = e.plan.runs.reduce((n, r) => n + r.candidates, 0) - total;
          line(`${runs}: training ${plural(total, 'candidate')}` + `${already > 0 ? ` (${already} done before)` : ''}${opts.workers ? ` on ${plural(opts.workers, 'worker')}` : ''}`);
          if (tty && total > 0) {
            multi = new cliProgress.MultiBar(
              {
                stream,
                hideCursor: true,
                clearOnComplete: false,
                format: (options, params) =>
                  `${cliProgress.Format.BarFormat(params.progress, options)} ${params.value}/${params.total} candidates` + ` | ${failed} failed | ${formatDuration(elapsed())} elapsed | ETA ${eta()}`,
              },
              cliProgress.Presets.shades_classic,
            );
            bar = multi.create(total, 0);
          }
          break;
        }
        case 'candidate': {
          done++;
          if (e.status === 'failed') failed++;
          bar?.update(done);
          if (e.status === 'failed' && e.reason) chatter(`failed ${e.candidateId}: ${e.reason}`);
          break;
        }
        case 'retry':
          chatter(`retrying ${e.candidateId} (attempt ${e.attempt}, ${e.error})`);
          break;
        case 'aggregating':
          stopBar();
          trainedFor = elapsed();
          chatter(`ranking (${formatDuration(elapsed())} of training)`);
          break;
        case 'finalizing':
          // A run whose answer is the baseline (or where nothing succeeded) has nothing to refit: nothing to announce.
          if (e.refits > 0) chatter(`refitting the recommended candidate${e.refits === 1 ? '' : 's'} on all non-test rows (the final model)`);
          break;
        case 'round':
          // A halving run's next round: more items to train, the count goes on.
          total += e.total;
          if (e.total > 0) {
            rounds++;
            chatter(`next round: training ${e.total} promoted candidate${e.total === 1 ? '' : 's'}`);
          }
          break;
      }
    },
    stop() {
      stopBar();
      // Piped: the end line, once, with what was done (an interrupted or failed run too).
      if (tty || ended || !planned || total === 0) return;
      ended = true;
      // Over several rounds the count is of trainings: a promoted candidate is trained again.
      const what = rounds > 1 ? 'training' : 'candidate';
      const count = done === total ? plural(done, what) : `${done} of ${plural(total, what)}`;
      const over = rounds > 1 ? `${plural(candidates, 'candidate')} over ${rounds} rounds: ` : '';
      line(`${over}${count} done (${failed} failed) in ${formatDuration(trainedFor ?? elapsed())}`);
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
