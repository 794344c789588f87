/**
 * Registers layerbench's kernels for the wasm backend: the ones @tensorflow/tfjs-backend-wasm
 * 4.22 lacks for training our model families, and faster replacements for slow ones.
 *
 *  - Conv2D, FusedConv2D   (im2col + the SIMD GEMM; ~1.5× XNNPACK's convolution here)
 *  - Conv2DBackpropFilter  (missing: CNNs could not train on wasm at all)
 *  - Conv2DBackpropInput   (replaces a naive loop; ~6× faster)
 *  - BatchMatMul           (transposed products on XNNPACK instead of a scalar loop)
 *  - MaxPoolGrad, AvgPoolGrad (replace naive loops; 5–10× faster)
 *  - Sum over leading axes (bias gradients without a full transpose)
 *  - Identity, Cast to the same dtype (share the buffer instead of copying it)
 *  - GatherV2              (slice copies instead of an element-wise loop)
 *  - Slice                 (copies the slice within the heap instead of reading the whole input out of it first)
 *  - LayerbenchFusedAdam   (one kernel per variable for FusedAdamOptimizer; see adam.ts)
 *  - LayerbenchLstmForward/Backward (a whole LSTM layer per kernel for fusedLstm; see lstm.ts)
 *  - LayerbenchEpoch       (a network's training epoch in one kernel: dense, or LSTM layers then dense; see epoch.ts)
 *
 * Idempotent. Importing this module also loads the wasm backend (it does not make it current).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fusedAdamConfig } from './adam.js';
import { epochConfig, epochScratchConfig } from './epoch.js';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { baseConv2DForward, baseFusedConv2D, conv2DConfig, fusedConv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv2d_backprop.js';
import { baseGather, gatherV2Config } from './gather.js';
import { lstmBackwardConfig, lstmForwardConfig } from './lstm.js';
import { avgPoolGradConfig, maxPoolGradConfig } from './pool_grad.js';
import { baseCast, baseIdentity, castConfig, identityConfig } from './share.js';
import { baseSlice, sliceConfig } from './slice.js';
import { baseSum, sumConfig } from './sum.js';
import { baseBatchMatMul, type BaseKernel } from './wasm_heap.js';

const ours: readonly tf.KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  sumConfig,
  identityConfig,
  castConfig,
  gatherV2Config,
  sliceConfig,
  fusedAdamConfig,
  lstmForwardConfig,
  lstmBackwardConfig,
  epochConfig,
  epochScratchConfig,
];

/** Original wasm kernels that ours call into. */
const bases: readonly BaseKernel[] = [baseBatchMatMul, baseConv2DForward, baseFusedConv2D, baseSum, baseIdentity, baseCast, baseGather, baseSlice];

/** Names of the kernels layerbench registers (or replaces) for the wasm backend. */
export const wasmKernelNames: readonly string[] = ours.map((k) => k.kernelName);

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config !== undefined && ours.some((k) => k.kernelFunc === config.kernelFunc);
}

export function registerWasmKernels(): void {
  for (const slot of bases) {
    const base = tf.getKernel(slot.kernelName, 'wasm');
    if (base === undefined) throw new Error(`layerbench wasm kernels: the wasm backend registered no ${slot.kernelName}`);
    if (!isOurs(base)) slot.set(base.kernelFunc);
  }
  for (const config of ours) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (isOurs(current)) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    // A replaced kernel keeps the original's setup (the engine runs it on every setBackend('wasm')),
    // because ours may call into the original.
    tf.registerKernel({ ...config, setupFunc: current?.setupFunc, disposeFunc: current?.disposeFunc });
  }
}
