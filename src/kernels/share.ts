/**
 * Identity, and Cast to the same dtype, without a copy. tfjs tensors are immutable, so the cpu and
 * webgl backends answer these by sharing the buffer (a reference count), as the wasm backend
 * itself does for Reshape. The wasm backend copies instead — and the engine calls Identity on
 * every tensor it saves for the backward pass, so each training step copied all its activations
 * once more (≈1,300 copies per batch for the seed LSTM).
 */
import {
  Cast,
  Identity,
  type CastAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

let baseIdentity: KernelFunc | undefined;
let baseCast: KernelFunc | undefined;
export function setBaseIdentity(kernelFunc: KernelFunc): void {
  baseIdentity = kernelFunc;
}
export function setBaseCast(kernelFunc: KernelFunc): void {
  baseCast = kernelFunc;
}

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function base(kernelFunc: KernelFunc | undefined, args: KernelArgs): TensorInfo {
  if (kernelFunc === undefined) throw new Error('layerbench wasm kernels: registerWasmKernels() has not run');
  return kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
}

export function identityWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return base(baseIdentity, args);
  return share(args.backend as BackendWasm, x);
}

export function castWasm(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x.dtype !== dtype || x.dtype === 'string') return base(baseCast, args);
  return share(args.backend as BackendWasm, x);
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identityWasm as unknown as KernelFunc,
};

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: castWasm as unknown as KernelFunc,
};
