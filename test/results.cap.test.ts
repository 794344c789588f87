import { describe, expect, it } from 'vitest';
import type { CandidateDigest, RankedCandidate } from '../src/results/analysis.js';
import { capSentence } from '../src/results/verdict.js';

/** A candidate whose trials trained `epochs` epochs each, kept `best` and stopped early or not. */
const candidate = (trials: { epochs: number; best: number; stopped: boolean }[]) =>
  ({
    label: 'dense d1 w8',
    doc: { trials: trials.map((t) => ({ epochs: { length: t.epochs }, bestEpoch: t.best, stoppedEarly: t.stopped })) },
  }) as unknown as RankedCandidate<CandidateDigest>;

describe('the epoch-cap note', () => {
  it('names the candidate and the setting when most trials ran every epoch and kept the last', () => {
    const c = candidate([
      { epochs: 30, best: 30, stopped: false },
      { epochs: 30, best: 30, stopped: false },
      { epochs: 18, best: 13, stopped: true },
    ]);
    expect(capSentence(c)).toBe('2 of 3 trials of dense d1 w8 ran all 30 epochs and kept the last, with no early stop: it may still have been improving — raise training.epochs.');
  });

  it('says nothing when early stopping ended most trials or an earlier epoch was best', () => {
    expect(
      capSentence(
        candidate([
          { epochs: 30, best: 30, stopped: false },
          { epochs: 20, best: 15, stopped: true },
          { epochs: 30, best: 24, stopped: false },
        ]),
      ),
    ).toBeNull();
  });
});
