/**
 * Registers layerbench's kernels for the wasm backend: the ones @tensorflow/tfjs-backend-wasm
 * 4.22 lacks for training our model families, and faster replacements for slow ones.
 *
 *  - Conv2DBackpropFilter  (missing: CNNs could not train on wasm at all)
 *  - Conv2DBackpropInput   (replaces a naive loop; ~6× faster)
 *  - BatchMatMul           (transposed products on XNNPACK instead of a scalar loop)
 *  - MaxPoolGrad, AvgPoolGrad (replace naive loops; 5–10× faster)
 *  - Sum over leading axes (bias gradients without a full transpose)
 *  - Identity, Cast to the same dtype (share the buffer instead of copying it)
 *  - GatherV2              (slice copies instead of an element-wise loop)
 *  - LayerbenchFusedAdam   (one kernel per variable for FusedAdamOptimizer; see adam.ts)
 *  - LayerbenchLstmForward/Backward (a whole LSTM layer per kernel for fusedLstm; see lstm.ts)
 *
 * Idempotent. Importing this module also loads the wasm backend (it does not make it current).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fusedAdamConfig } from './adam.js';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, setBaseConv2D } from './conv2d_backprop.js';
import { gatherV2Config, setBaseGather } from './gather.js';
import { lstmBackwardConfig, lstmForwardConfig } from './lstm.js';
import { avgPoolGradConfig, maxPoolGradConfig } from './pool_grad.js';
import { castConfig, identityConfig, setBaseCast, setBaseIdentity } from './share.js';
import { setBaseSum, sumConfig } from './sum.js';
import { setBaseBatchMatMul } from './wasm_heap.js';

const ours: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  sumConfig,
  identityConfig,
  castConfig,
  gatherV2Config,
  fusedAdamConfig,
  lstmForwardConfig,
  lstmBackwardConfig,
];

/** Original wasm kernels that ours call into, and where each is handed over. */
const bases: readonly [string, (kernelFunc: tf.KernelFunc) => void][] = [
  [tf.BatchMatMul, setBaseBatchMatMul],
  [tf.Conv2D, setBaseConv2D],
  [tf.Sum, setBaseSum],
  [tf.Identity, setBaseIdentity],
  [tf.Cast, setBaseCast],
  [tf.GatherV2, setBaseGather],
];

/** Names of the kernels layerbench registers (or replaces) for the wasm backend. */
export const wasmKernelNames: readonly string[] = ours.map((k) => k.kernelName);

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config !== undefined && ours.some((k) => k.kernelFunc === config.kernelFunc);
}

export function registerWasmKernels(): void {
  for (const [name, hand] of bases) {
    const base = tf.getKernel(name, 'wasm');
    if (base === undefined) throw new Error(`layerbench wasm kernels: the wasm backend registered no ${name}`);
    if (!isOurs(base)) hand(base.kernelFunc);
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
