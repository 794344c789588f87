/**
 * Which TensorFlow.js backend trains. Chosen once at start: `@tensorflow/tfjs-node` ('tensorflow') if it
 * is installed (an optionalDependency whose install cannot download libtensorflow here), else the wasm
 * backend, else the pure-JS cpu backend. An explicit preference overrides and fails if unavailable.
 * Every candidate document records the backend that trained it.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { SpecError } from '../errors.js';
import { registerWasmKernels } from '../kernels/index.js';
import type { Candidate } from '../sweep/candidate.js';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** A non-literal specifier, so neither tsc nor a bundler insists on the optional tfjs-node. */
const TFJS_NODE = '@tensorflow/tfjs-node';

let selected: BackendName | undefined;
const unavailable = new Map<BackendName, string>();

/** Load and activate one backend; a reason string when it cannot be used. */
async function activate(name: BackendName): Promise<string | undefined> {
  const known = unavailable.get(name);
  if (known !== undefined) return known;
  let reason: string | undefined;
  try {
    if (name === 'tensorflow' && tf.findBackendFactory('tensorflow') === null) {
      try {
        await import(TFJS_NODE);
      } catch (err) {
        reason = `${TFJS_NODE} is not installed or cannot load (${firstLine(err)})`;
      }
    }
    if (name === 'wasm') {
      // One thread per candidate (read when the backend initialises; harmless afterwards):
      // parallelism comes from running candidates in separate workers.
      setThreadsCount(1);
    }
    if (reason === undefined) {
      if (tf.findBackendFactory(name) === null) reason = `no ${name} backend is registered`;
      else if (!(await tf.setBackend(name))) reason = `the ${name} backend failed to initialise`;
    }
    if (reason === undefined && name === 'wasm') {
      // Our kernels (src/kernels): the Conv2DBackpropFilter wasm lacks, and faster matrix products.
      try {
        registerWasmKernels();
      } catch (err) {
        reason = `layerbench's wasm kernels failed to register (${firstLine(err)})`;
      }
    }
    if (reason === undefined && name === 'cpu') {
      // The cpu backend greets Node users with a banner recommending tfjs-node; we chose cpu knowingly.
      const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
      if (cpu) cpu.firstUse = false;
    }
  } catch (err) {
    reason = `the ${name} backend failed to initialise (${firstLine(err)})`;
  }
  if (reason !== undefined) unavailable.set(name, reason);
  return reason;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Choose the backend (idempotent). Without a preference: tensorflow, then wasm, then cpu; with one,
 * exactly that backend or a SpecError. Returns the name of the backend in use.
 */
export async function selectBackend(preferred?: string): Promise<BackendName> {
  if (preferred !== undefined && !(BACKENDS as readonly string[]).includes(preferred)) {
    throw new SpecError(`backend: unknown backend "${preferred}"; use one of ${BACKENDS.join(', ')}`);
  }
  const want = preferred as BackendName | undefined;
  if (selected !== undefined && (want === undefined || want === selected)) {
    if (tf.getBackend() !== selected) await tf.setBackend(selected);
    return selected;
  }
  if (want !== undefined) {
    const reason = await activate(want);
    if (reason !== undefined) throw new SpecError(`backend: ${want} is not available: ${reason}`);
    selected = want;
    return want;
  }
  for (const name of BACKENDS) {
    if ((await activate(name)) === undefined) {
      selected = name;
      return name;
    }
  }
  // The cpu backend ships with @tensorflow/tfjs; reaching this means the install is broken.
  throw new SpecError(`backend: no TensorFlow.js backend could be initialised (${[...unavailable.values()].join('; ')})`);
}

/** The backend currently in use, or undefined before anything selected one. */
export function currentBackend(): string | undefined {
  return tf.engine().backendName ?? undefined;
}

/** Why `name` could not be used, if selectBackend tried it and failed. */
export function backendUnavailableReason(name: BackendName): string | undefined {
  return unavailable.get(name);
}

/** Gradient kernels each family needs beyond what dense layers use. */
const TRAINING_KERNELS: Record<Candidate['family'], string[]> = {
  dense: [],
  cnn: ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'AvgPoolGrad'],
  lstm: [],
};

/** Kernels the family needs for training that `backend` does not register. */
export function missingTrainingKernels(family: Candidate['family'], backend: string): string[] {
  return TRAINING_KERNELS[family].filter((k) => tf.getKernel(k, backend) === undefined);
}

export interface TrainingBackend {
  /** The backend that trains this candidate. */
  name: BackendName;
  /** What the candidate document records, e.g. "cpu (wasm lacks Conv2DBackpropFilter)". */
  label: string;
  /** Put the selected backend back once the candidate is done (a no-op unless we switched). */
  restore: () => Promise<void>;
}

/**
 * The backend for one candidate: the selected one, unless it lacks a gradient kernel the family needs
 * (wasm as shipped has no Conv2DBackpropFilter; src/kernels registers one); then cpu. The registry is
 * asked, not assumed.
 */
export async function trainingBackend(family: Candidate['family'], preferred?: string): Promise<TrainingBackend> {
  const base = await selectBackend(preferred);
  const noop = async () => {};
  if (base !== 'wasm' || TRAINING_KERNELS[family].length === 0) return { name: base, label: base, restore: noop };
  const missing = missingTrainingKernels(family, 'wasm');
  if (missing.length === 0) return { name: base, label: base, restore: noop };
  const reason = await activate('cpu');
  if (reason !== undefined) throw new SpecError(`backend: wasm lacks ${missing.join(', ')} and cpu is not available: ${reason}`);
  return {
    name: 'cpu',
    label: `cpu (wasm lacks ${missing.join(', ')})`,
    restore: async () => {
      await tf.setBackend(base);
    },
  };
}
