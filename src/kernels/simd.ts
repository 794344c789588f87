/**
 * layerbench's SIMD kernels (wasm/kernels.ts, AssemblyScript, compiled into simd_module.ts),
 * instantiated on the tfjs wasm backend's own memory: every argument is a byte offset into that
 * heap, so the kernels read and write tensors in place. One instance per backend, made on first use.
 *
 * The kernels come in two builds: with relaxed SIMD, whose fused multiply-add makes the matrix
 * products ~1.3× faster on x64, where the runtime accepts it, else with plain SIMD.
 * LAYERBENCH_RELAXED_SIMD=0 forces the plain build.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setFlagsFromString } from 'node:v8';
import { SIMD_RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './simd_module.js';

/** Activation codes of the SIMD kernels (see wasm/elementwise.ts). */
export const SIMD_ACTIVATIONS = { linear: 0, relu: 1, tanh: 2, sigmoid: 3, elu: 4, selu: 5, swish: 6 } as const;
export type SimdActivation = keyof typeof SIMD_ACTIVATIONS;

export interface SimdKernels {
  /** C[M, N] = A·B (+C | +bias); A(i, k) at a + 4(i·sai + k·sak); N a multiple of 4. */
  gemm(M: number, N: number, K: number, a: number, sai: number, sak: number, b: number, ldb: number, c: number, ldc: number, accumulate: number, bias: number): void;
  transpose(src: number, rows: number, cols: number, dst: number, ldd: number): void;
  columnSums(x: number, M: number, N: number, out: number): void;
  /** columnSums with float64 accumulators. */
  columnSums64(x: number, M: number, N: number, out: number): void;
  gatherRows(src: number, rowFloats: number, order: number, first: number, count: number, dst: number): void;
  activate(kind: number, z: number, h: number, M: number, N: number, ld: number): void;
  activationGrad(kind: number, z: number, h: number, g: number, n: number): void;
  dropout(src: number, dst: number, mask: number, n: number, rate: number, seed: number): number;
  multiply(x: number, y: number, n: number): void;
  adam(x: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number, decay: number): void;
  sumSquares(x: number, n: number): number;
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    N: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** Max (kind 0) or average (kind 1) pooling over in-bounds inputs, C a multiple of 4. */
  pool(kind: number, x: number, y: number, N: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  /** 2×2 stride-2 unpadded max pooling, with each maximum's position (a byte per output and channel). */
  maxPoolCodes(x: number, y: number, codes: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  /** maxPoolGrad of maxPoolCodes' pooling, from its codes. */
  maxPoolGradCodes(codes: number, dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  /** The filter gradient of a 'valid' stride-1 convolution under maxPoolCodes' pooling, from the pooled gradient (C a multiple of 32). */
  maxPoolFilterGrad(x: number, codes: number, dp: number, dw: number, list: number, N: number, H: number, W: number, C: number, CO: number, PH: number, PW: number, fh: number, fw: number): void;
  /** A 'valid' stride-1 convolution with few input channels and the 2×2 max pooling after it, with maxPoolCodes' codes (wasm/conv_pool.ts). */
  convPoolCodes(x: number, w: number, bias: number, y: number, codes: number, N: number, H: number, W: number, C: number, CO: number, PH: number, PW: number, fh: number, fw: number): void;
  /** convPoolCodes' filter gradient from its codes and the pooled gradient (dw overwritten). */
  convPoolFilterGrad(x: number, codes: number, dp: number, dw: number, N: number, H: number, W: number, C: number, CO: number, PH: number, PW: number, fh: number, fw: number): void;
  avgPoolGrad(dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  /** Rows m0 .. m0 + count of the patch matrix, written from cols on. */
  im2col(
    x: number,
    cols: number,
    m0: number,
    count: number,
    N: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** Adds rows m0 .. m0 + count of a patch matrix (from cols on) into dx, zeroed first if `clear`. */
  col2im(
    cols: number,
    dx: number,
    m0: number,
    count: number,
    clear: number,
    N: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** Winograd F(2×2, 3×3) transforms (see winograd.ts). */
  winogradFilter(w: number, C: number, CO: number, u: number): void;
  winogradFilterGrad(du: number, C: number, CO: number, dw: number): void;
  winogradInput(x: number, v: number, t0: number, n: number, H: number, W: number, C: number, TH: number, TW: number, padTop: number, padLeft: number): void;
  winogradOutput(m: number, y: number, bias: number, t0: number, n: number, OH: number, OW: number, CO: number, TH: number, TW: number): void;
  winogradOutputGrad(dy: number, dm: number, t0: number, n: number, OH: number, OW: number, CO: number, TH: number, TW: number): void;
  winogradInputGrad(dv: number, dx: number, clear: number, N: number, t0: number, n: number, H: number, W: number, C: number, TH: number, TW: number, padTop: number, padLeft: number): void;
  /** Winograd F(4×4, 3×3) transforms (see winograd.ts). */
  winograd4Filter(w: number, C: number, CO: number, u: number): void;
  winograd4Input(x: number, v: number, t0: number, n: number, H: number, W: number, C: number, TH: number, TW: number, padTop: number, padLeft: number): void;
  winograd4Output(m: number, y: number, bias: number, t0: number, n: number, OH: number, OW: number, CO: number, TH: number, TW: number): void;
  winograd4OutputGrad(dy: number, dm: number, t0: number, n: number, OH: number, OW: number, CO: number, TH: number, TW: number): void;
  winograd4InputGrad(dv: number, dx: number, clear: number, N: number, t0: number, n: number, H: number, W: number, C: number, TH: number, TW: number, padTop: number, padLeft: number): void;
  /** winograd4OutputGrad of maxPoolGradCodes' dz, from the pooled gradient and the codes, without dz. */
  winograd4OutputGradPool(dp: number, codes: number, dm: number, t0: number, n: number, OH: number, OW: number, CO: number, TH: number, TW: number, PH: number, PW: number): void;
  lstmForwardStep(B: number, U: number, z: number, ldz: number, bias: number, c: number, first: number, cache: number, h: number, out: number, ldo: number): void;
  lstmBackwardStep(B: number, U: number, dh: number, dy: number, ldy: number, cache: number, cachePrev: number, dc: number, last: number, dz: number, ldz: number): void;
}

let compiled: WebAssembly.Module | undefined;

/**
 * True when this runtime takes relaxed SIMD. V8 ≥ 11.4 (Node ≥ 22) does by default; Node 20's V8
 * (11.3) has it complete behind --experimental-wasm-relaxed-simd, a flag that only lets modules use
 * the relaxed opcodes, so it is turned on here.
 */
function acceptsRelaxedSimd(bytes: BufferSource): boolean {
  if (process.env['LAYERBENCH_RELAXED_SIMD'] === '0') return false;
  if (WebAssembly.validate(bytes)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

let build: 'relaxed-simd' | 'simd' = 'simd';

function compileKernels(): WebAssembly.Module {
  const relaxed = Buffer.from(SIMD_RELAXED_WASM_BASE64, 'base64');
  build = acceptsRelaxedSimd(relaxed) ? 'relaxed-simd' : 'simd';
  return new WebAssembly.Module(build === 'relaxed-simd' ? relaxed : Buffer.from(SIMD_WASM_BASE64, 'base64'));
}

/** Which build of the kernels runs here (for benchmark reports). */
export function simdBuild(): 'relaxed-simd' | 'simd' {
  compiled ??= compileKernels();
  return build;
}
const instances = new WeakMap<BackendWasm, SimdKernels>();

/** The wasm backend's WebAssembly.Memory (Emscripten keeps it as the instance's exported `memory`). */
function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  const memory = (backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('layerbench SIMD kernels: the wasm backend does not expose its memory');
  return memory;
}

/** Per SIMD kernel: total milliseconds and calls, while timing is on (see timeSimdKernels). */
export type SimdTimes = Map<string, { ms: number; calls: number }>;

let timing: { times: SimdTimes; wrapped: WeakMap<SimdKernels, SimdKernels> } | undefined;

/**
 * From now on (until called with undefined), simdKernels() hands out kernels that add each call's
 * wall time to `times`: benchmarks/profile.ts splits a fused epoch (one tfjs kernel) this way.
 * A call costs a performance.now() pair more (~0.1 µs), far below the kernels it times.
 */
export function timeSimdKernels(times: SimdTimes | undefined): void {
  timing = times === undefined ? undefined : { times, wrapped: new WeakMap() };
}

function timed(kernels: SimdKernels, times: SimdTimes): SimdKernels {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(kernels)) {
    if (typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      // Products by shape (N, K, and whether A is read transposed): each call site has its own.
      const key = name === 'gemm' ? `gemm N=${args[1]} K=${args[2]}${args[4] === 1 && args[5] !== 1 ? ' Aᵀ' : ''}` : name;
      const row = times.get(key) ?? { ms: 0, calls: 0 };
      row.ms += performance.now() - t0;
      row.calls += 1;
      times.set(key, row);
      return r;
    };
  }
  return out as unknown as SimdKernels;
}

export function simdKernels(backend: BackendWasm): SimdKernels {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    compiled ??= compileKernels();
    const instance = new WebAssembly.Instance(compiled, { env: { memory: heapMemory(backend) } });
    kernels = instance.exports as unknown as SimdKernels;
    instances.set(backend, kernels);
  }
  if (timing === undefined) return kernels;
  let wrapped = timing.wrapped.get(kernels);
  if (wrapped === undefined) timing.wrapped.set(kernels, (wrapped = timed(kernels, timing.times)));
  return wrapped;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}

/** A Float32Array over the whole wasm heap (valid until the heap next grows). */
export function heapF32(backend: BackendWasm): Float32Array {
  return new Float32Array(heapMemory(backend).buffer);
}

/** True when this Node can compile the SIMD module (wasm SIMD: Node ≥ 16.4). */
export function simdSupported(): boolean {
  try {
    compiled ??= compileKernels();
    return true;
  } catch {
    return false;
  }
}
