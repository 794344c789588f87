// AssemblyScript (not TypeScript): layerbench's SIMD kernels. `npm run build:wasm` compiles this file
// and the modules it exports from into src/kernels/simd_module.ts; test/kernels.simd-build.test.ts
// rebuilds it and compares. The module's exports are the ones listed here.
//
// The module imports the tfjs wasm backend's memory: every pointer is a byte offset into that heap
// (a tensor's memoryOffset), so kernels work on tensors in place, without copies. The module has no
// data segments, no allocator and no stack in memory: it never writes outside the buffers it is given.
//
// Matrices are row-major float32. A "row stride" is in floats.


export { columnSums, columnSums64, gatherRows, gemm, transpose } from './gemm';
export { activate, activationGrad, adam, dropout, multiply, sumSquares } from './elementwise';
export { lstmBackwardStep, lstmForwardStep } from './lstm';
export { avgPoolGrad, maxPoolCodes, maxPoolFilterGrad, maxPoolGrad, maxPoolGradCodes, pool } from './pooling';
export { col2im, im2col } from './im2col';
export { convPoolCodes, convPoolFilterGrad } from './conv_pool';
export { winogradFilter, winogradFilterGrad, winogradInput, winogradInputGrad, winogradOutput, winogradOutputGrad } from './winograd';
export { winograd4Filter, winograd4Input, winograd4InputGrad, winograd4Output, winograd4OutputGrad, winograd4OutputGradPool } from './winograd4';
