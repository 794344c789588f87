/**
 * The activity line of commands without candidates to count (train, plan, predict): on a terminal it
 * names the step and the seconds (for `train`, each epoch: trial, epoch, losses), and is cleared at
 * the end; piped, redirected or --quiet it prints nothing at all.
 */
import { describe, expect, it } from 'vitest';
import { recordingStream } from './helpers/stream.js';
import { epochPhase, withActivity } from '../src/cli/activity.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('activity line', () => {
  it('on a terminal: the step and its seconds, redrawn while it works, one line', async () => {
    const { s, text } = recordingStream(true);
    const result = await withActivity({ stream: s }, async (a) => {
      a.phase('reading sweep.json and its data');
      await pause(50);
      a.phase('training dense-d1-w8-0123456789: 3 trials × up to 30 epochs');
      await pause(600);
      return 42;
    });
    expect(result).toBe(42);
    expect(text()).toContain('reading sweep.json and its data · 0s');
    expect(text()).toMatch(/training dense-d1-w8-0123456789: 3 trials × up to 30 epochs · \ds/);
    expect(text()).not.toContain('\n');
  });

  it('piped or --quiet: nothing, and the line is cleared when the command fails', async () => {
    for (const opts of [{ stream: recordingStream(false) }, { stream: recordingStream(true), quiet: true }]) {
      await withActivity({ stream: opts.stream.s, quiet: 'quiet' in opts }, async (a) => {
        a.phase('planning');
        await pause(20);
      });
      expect(opts.stream.text()).toBe('');
    }
    const { s } = recordingStream(true);
    await expect(
      withActivity({ stream: s }, async (a) => {
        a.phase('training');
        throw new Error('bad data');
      }),
    ).rejects.toThrow('bad data');
  });
});

describe('epoch line of `layerbench train`', () => {
  const e = { repeat: 1, fold: 2, epoch: 7, epochs: 30, loss: 0.41234, valLoss: 0.43871 };

  it('which trial of how many, the epoch of the planned ones, the losses at 3 significant digits', () => {
    // Repeat 2 of 5-fold cross-validation, its third fold: trial 8 of 10.
    expect(epochPhase('dense-d2-w32-abcdef0123', e, 10, 5)).toBe('training dense-d2-w32-abcdef0123 · trial 8/10 · epoch 7/30 · loss 0.412 · val loss 0.439');
  });

  it('one trial: no trial count; no validation split: no validation loss', () => {
    expect(epochPhase('lstm-d1-w8-0123456789', { ...e, repeat: 0, fold: 0, valLoss: Number.NaN }, 1, 1)).toBe('training lstm-d1-w8-0123456789 · epoch 7/30 · loss 0.412');
  });
});
