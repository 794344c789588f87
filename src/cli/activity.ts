/**
 * What a command that has no candidates to count is doing, and for how long: one line on stderr,
 * redrawn by cli-progress as the seconds pass ("training dense-d2-w32: 3 trials × up to 30 epochs ·
 * 12s") and cleared when the command ends. Only on a terminal: nothing when stderr is piped or
 * redirected (logs, CI) or with --quiet, so output that is read by a program stays exactly the result.
 * `layerbench run` and `status` count candidates instead (progress.ts).
 */
import cliProgress from 'cli-progress';
import { fmtValue } from '../format.js';
import type { EpochEvent } from '../train/trial.js';
import { formatDuration } from './progress.js';

export interface Activity {
  /** The step under way; the elapsed time is the command's. */
  phase(text: string): void;
  /** Clear the line. Safe to call twice. */
  stop(): void;
}

const SILENT: Activity = { phase: () => undefined, stop: () => undefined };

export function createActivity(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Activity {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || !stream.isTTY) return SILENT;
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    // Redrawn twice a second whatever happens, so the seconds move while a step works.
    fps: 2,
    format: (_options, _params, payload: { phase?: string }) => `${payload.phase ?? ''} · ${formatDuration((Date.now() - started) / 1000)}`,
  });
  let running = false;
  return {
    phase(text) {
      if (!running) {
        bar.start(1, 0, { phase: text });
        running = true;
      } else bar.update({ phase: text });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/** Runs `fn` with an activity line, cleared however `fn` ends. */
export async function withActivity<T>(opts: { quiet?: boolean; stream?: NodeJS.WriteStream }, fn: (a: Activity) => Promise<T>): Promise<T> {
  const activity = createActivity(opts);
  try {
    return await fn(activity);
  } finally {
    activity.stop();
  }
}

/**
 * `layerbench train`'s line while a trial trains: which trial of how many, the epoch of the planned
 * ones, the training loss and the validation loss (none without a validation split).
 * `trialsPerRepeat`: the folds of k-fold, else 1.
 */
export function epochPhase(candidateId: string, e: Pick<EpochEvent, 'repeat' | 'fold' | 'epoch' | 'epochs' | 'loss' | 'valLoss'>, trials: number, trialsPerRepeat: number): string {
  const trial = trials > 1 ? ` · trial ${e.repeat * trialsPerRepeat + e.fold + 1}/${trials}` : '';
  const val = Number.isFinite(e.valLoss) ? ` · val loss ${fmtValue(e.valLoss)}` : '';
  return `training ${candidateId}${trial} · epoch ${e.epoch}/${e.epochs} · loss ${fmtValue(e.loss)}${val}`;
}
