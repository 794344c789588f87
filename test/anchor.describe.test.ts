/**
 * The PyTorch anchor's one-line description (benchmarks/anchor.ts describeTorch): it names what
 * anchor.py set and calls the anchor unfair when PyTorch runs without OpenBLAS, on more than one
 * thread, with glibc's malloc handing the CNN's buffers back to the kernel every batch, or with the
 * CNN in PyTorch's default NCHW layout.
 */
import { describe, expect, it } from 'vitest';
import { describeTorch, type TorchBlas } from '../benchmarks/anchor.js';

const openblas: TorchBlas = {
  libraries: ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'],
  openblas: true,
  reference: false,
  mkldnn: true,
  torchThreads: 1,
  config: 'OpenBLAS 0.3.21 Haswell',
  threads: 1,
};
const kept = { kept: true, M_MMAP_THRESHOLD: 32 * 2 ** 20, M_TRIM_THRESHOLD: 2 ** 30, why: 'glibc otherwise returns freed buffers' };

describe('describeTorch', () => {
  it('names the malloc thresholds and the CNN layout anchor.py set, and calls that anchor fair', () => {
    const { description, fair } = describeTorch('1.13.0', { ...openblas, malloc: kept, cnnLayout: 'channels_last' });
    expect(fair).toBe(true);
    expect(description).toContain('glibc malloc keeps freed memory (mmap threshold 32 MiB, trim threshold 1 GiB');
    expect(description).toContain('the CNN in channels_last');
    expect(description).not.toContain('UNFAIR');
  });

  it("calls an anchor whose CNN runs in PyTorch's default NCHW layout unfair", () => {
    const { description, fair } = describeTorch('1.13.0', { ...openblas, malloc: kept, cnnLayout: 'contiguous' });
    expect(fair).toBe(false);
    expect(description).toContain("UNFAIR ANCHOR: the CNN in PyTorch's default NCHW layout");
  });

  it("calls an anchor left on glibc's malloc defaults unfair, and says why", () => {
    const { description, fair } = describeTorch('1.13.0', { ...openblas, malloc: { kept: false, why: 'LAYERBENCH_TORCH_MALLOC=default' }, cnnLayout: 'channels_last' });
    expect(fair).toBe(false);
    expect(description).toContain('UNFAIR ANCHOR: malloc left at its defaults (LAYERBENCH_TORCH_MALLOC=default)');
  });

  it('reads a report written before the malloc setting was recorded as it did then', () => {
    const { description, fair } = describeTorch('1.13.0', openblas);
    expect(fair).toBe(true);
    expect(description).toBe('1.13.0 on OpenBLAS 0.3.21 Haswell (1 thread); convolutions on oneDNN');
  });

  it('names the BLAS first when both the BLAS and malloc are wrong', () => {
    const reference = { ...openblas, libraries: ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'], openblas: false, reference: true, config: undefined };
    const { description, fair } = describeTorch('1.13.0', { ...reference, malloc: { kept: false, why: 'mallopt failed: not glibc?' } });
    expect(fair).toBe(false);
    expect(description).toContain('UNFAIR ANCHOR: the reference BLAS');
  });
});
