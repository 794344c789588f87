/**
 * Identity, and Cast to the same dtype, without a copy. tfjs tensors are immutable, so the cpu and
 * webgl backends answer these by sharing the buffer (a reference count), as the wasm backend
 * itself does for Reshape. The wasm backend copies instead — and the engine calls Identity on
 * every tensor it saves for the backward pass, so each training step copied all its activations
 * once more (≈1,300 copies per batch for the seed LSTM).
 */
import { Cast, Identity, type CastAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BaseKernel, wasmKernel, type KernelArgs } from './wasm_heap.js';

export const baseIdentity = new BaseKernel(Identity);
export const baseCast = new BaseKernel(Cast);

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identityWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return baseIdentity.run(args);
  return share(args.backend as BackendWasm, x);
}

export function castWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x.dtype !== dtype || x.dtype === 'string') return baseCast.run(args);
  return share(args.backend as BackendWasm, x);
}

export const identityConfig = wasmKernel(Identity, identityWasm);
export const castConfig = wasmKernel(Cast, castWasm);
