/**
 * Keras' EarlyStopping, as a trial uses it: watch a validation value each epoch, remember the best
 * (by more than `minDelta`), and stop once `patience` epochs in a row brought no improvement — never
 * after the first epoch. Its state goes into a trial's checkpoint, so a resumed trial stops exactly
 * where an uninterrupted one would.
 */
import type { TrainingSpec } from '../sweep/schema.js';
import type { TrialState } from './checkpoint.js';

export type StoppingState = TrialState['earlyStopping'];

/** What an epoch's value means for training: a new best (keep these weights), go on, or stop. */
export type Verdict = 'improved' | 'continue' | 'stop';

export class EarlyStopping {
  private best: number;
  private bestEpoch: number;
  private wait: number;
  private stopped = false;

  constructor(
    private readonly spec: TrainingSpec['earlyStopping'],
    /** The monitored value is better when higher (val_metric of accuracy). */
    private readonly maximise: boolean,
    from?: StoppingState,
  ) {
    this.best = from?.best ?? (maximise ? -Infinity : Infinity);
    this.bestEpoch = from?.bestEpoch ?? 0;
    this.wait = from?.wait ?? 0;
  }

  /** The monitored value of this epoch's validation (val_loss or val_metric). */
  monitored(v: { loss: number; metric: number }): number {
    return this.spec.monitor === 'val_loss' ? v.loss : v.metric;
  }

  /** Epoch `epoch` (1-based) scored `value`; `last`: the final epoch training.epochs allows. */
  update(value: number, epoch: number, last: number): Verdict {
    const { minDelta, patience } = this.spec;
    const improved = this.maximise ? value - minDelta > this.best : value + minDelta < this.best;
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      return 'improved';
    }
    if (++this.wait >= patience && epoch > 1) {
      this.stopped = epoch < last;
      return 'stop';
    }
    return 'continue';
  }

  /** The epoch whose weights are best so far (0 before any). */
  get bestAt(): number {
    return this.bestEpoch;
  }

  state(): StoppingState {
    return { best: Number.isFinite(this.best) ? this.best : null, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEarly: this.stopped };
  }
}
