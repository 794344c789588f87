/**
 * The preprocessing goes into model.json's userDefinedMetadata only when tfjs takes it without a
 * warning of its own (1 MB serialized): a table of 20,000 columns made every save print tfjs's
 * multi-line complaint on stderr. preprocessing.json beside the model holds it either way.
 */
import { describe, expect, it, vi } from 'vitest';
import { embedPreprocessing } from '../src/artifacts/model.js';
import type { Preprocessing } from '../src/data/preprocess.js';

/** Only its size matters here. */
const preprocessingOf = (columns: number) =>
  ({ input: { kind: 'table', columns: Array.from({ length: columns }, (_, i) => ({ name: `column-${i}`, mean: i / 3, std: 1 + i / 7 })) } }) as unknown as Preprocessing;

describe('embedPreprocessing', () => {
  it('embeds a preprocessing that fits', () => {
    const model = { setUserDefinedMetadata: vi.fn() };
    const p = preprocessingOf(10);
    embedPreprocessing(model, p);
    expect(model.setUserDefinedMetadata).toHaveBeenCalledWith({ layerbench: { preprocessing: p } });
  });

  it('leaves out one over tfjs’s 1 MB, which would make tfjs print a warning', () => {
    const model = { setUserDefinedMetadata: vi.fn() };
    const p = preprocessingOf(20_000);
    expect(JSON.stringify(p).length).toBeGreaterThan(1_048_576);
    embedPreprocessing(model, p);
    expect(model.setUserDefinedMetadata).not.toHaveBeenCalled();
  });
});
