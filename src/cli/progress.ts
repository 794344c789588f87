/**
 * Progress of a run on stderr: a bar with candidates done / failed and an ETA on a terminal, plain
 * lines otherwise (CI logs, pipes). Fed by the runner's progress events.
 */
import cliProgress from 'cli-progress';
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
  let done = 0;
  let failed = 0;
  let started = Date.now();
  let multi: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  const line = (text: string) => stream.write(`${text}\n`);
  const elapsed = () => (Date.now() - started) / 1000;
  const stopBar = () => {
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
          started = Date.now();
          const runs = e.plan.runs.map((r) => r.runId).join(', ') || 'no run';
          for (const s of e.plan.skipped ?? []) line(`skipped ${s.key}: ${s.reason}`);
          for (const w of e.plan.warnings ?? []) line(`warning: ${w}`);
          const already = e.plan.runs.reduce((n, r) => n + r.candidates, 0) - total;
          line(
            `${runs}: training ${total} candidate${total === 1 ? '' : 's'}` +
              `${already > 0 ? ` (${already} done before)` : ''}${opts.workers ? ` on ${opts.workers} worker${opts.workers === 1 ? '' : 's'}` : ''}`,
          );
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
          if (bar) {
            bar.update(done);
            if (e.status === 'failed' && e.reason) multi?.log(`failed ${e.candidateId}: ${e.reason}\n`);
          } else {
            line(`[${done}/${total}] ${e.candidateId} ${e.status}${e.reason ? `: ${e.reason}` : ''} | ${failed} failed | ETA ${eta()}`);
          }
          break;
        }
        case 'retry':
          if (multi) multi.log(`retrying ${e.candidateId} (attempt ${e.attempt}, ${e.error})\n`);
          else line(`retrying ${e.candidateId} (attempt ${e.attempt}, ${e.error})`);
          break;
        case 'aggregating':
          stopBar();
          line(`ranking (${formatDuration(elapsed())} of training)`);
          break;
        case 'finalizing':
          line('refitting the recommended candidate on all non-test rows (the final model)');
          break;
        case 'round':
          // A halving run's next round: more items to train, the count goes on.
          total += e.total;
          if (e.total > 0) line(`next round: training ${e.total} promoted candidate${e.total === 1 ? '' : 's'}`);
          break;
      }
    },
    stop: stopBar,
  };
}
