/** The machine a benchmark ran on, described without its hostname. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { simdBuild } from '../src/kernels/simd.js';

export interface MachineInfo {
  cpuModel: string;
  /** Cores this process may use (os.availableParallelism). */
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  tfjs: string;
  tfjsBackendWasm: string;
  /** Which build of layerbench's SIMD kernels runs: with relaxed SIMD (fused multiply-add) or plain SIMD. */
  simdKernels?: 'relaxed-simd' | 'simd';
  /** Installed version of the optional @tensorflow/tfjs-node, or null. */
  tfjsNode: string | null;
  /** 1-, 5- and 15-minute load averages when the benchmark started (other work on the machine). */
  loadAverageAtStart: number[];
  /** A file-name tag: CPU model, cores and memory, e.g. "amd-epyc-2c-23g". */
  tag: string;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: fall through to what Node reports
  }
  return cpus()[0]?.model.trim() ?? 'unknown';
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function describeMachine(): MachineInfo {
  const model = cpuModel();
  const cores = availableParallelism();
  const memoryGiB = Math.round((totalmem() / 2 ** 30) * 10) / 10;
  return {
    cpuModel: model,
    cores,
    memoryGiB,
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs') ?? 'unknown',
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm') ?? 'unknown',
    simdKernels: simdBuild(),
    tfjsNode: packageVersion('@tensorflow/tfjs-node'),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    tag: `${slug(model) || 'cpu'}-${cores}c-${Math.round(memoryGiB)}g`,
  };
}
