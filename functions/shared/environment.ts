/**
 * The handlers' configuration, read once from the environment the stack sets
 * (infra/constructs/handler-function.ts). A missing or malformed value fails with a message naming
 * the variable — never `process.env.X!`.
 */
import { SpecError } from '../../src/errors.js';
import type { PlanLimits } from '../../src/steps/plan.js';
import { BACKENDS } from '../../src/train/backend.js';
import { S3Store } from '../../src/store/s3.js';

export interface HandlerEnvironment {
  /** LAYERBENCH_BUCKET: the stack's bucket. */
  bucket: string;
  /** LAYERBENCH_PREFIX: a key prefix inside the bucket (default: none). */
  prefix: string;
  /** LAYERBENCH_BACKEND: force a tfjs backend for Train (default: the best available). */
  backend?: string;
  /** LAYERBENCH_MAX_CANDIDATES / _MAX_EPOCHS / _MAX_PARAMETERS / _MAX_CANDIDATES_PER_NIGHT: the guardrails Plan enforces (stack context). */
  limits: PlanLimits;
  /** LAYERBENCH_TRAIN_TIMEOUT_SECONDS: the Train function's timeout; Plan refuses a training.maxTaskSeconds above it. */
  trainTimeoutSeconds?: number;
}

/** The guardrail variables and the PlanLimits field each sets. */
export const LIMIT_VARIABLES = {
  LAYERBENCH_MAX_CANDIDATES: 'maxCandidates',
  LAYERBENCH_MAX_EPOCHS: 'maxEpochs',
  LAYERBENCH_MAX_PARAMETERS: 'maxParameters',
  LAYERBENCH_MAX_CANDIDATES_PER_NIGHT: 'maxCandidatesPerNight',
} as const satisfies Record<string, keyof PlanLimits>;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function readHandlerEnvironment(env: NodeJS.ProcessEnv = process.env): HandlerEnvironment {
  const bucket = env.LAYERBENCH_BUCKET ?? '';
  if (bucket === '') throw new SpecError('LAYERBENCH_BUCKET: is not set; it must name the layerbench bucket (the stack sets it)');
  if (!BUCKET_NAME.test(bucket)) throw new SpecError(`LAYERBENCH_BUCKET: ${JSON.stringify(bucket)} is not an S3 bucket name`);
  const prefix = (env.LAYERBENCH_PREFIX ?? '').replace(/^\/+|\/+$/g, '');
  const backend = env.LAYERBENCH_BACKEND || undefined;
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new SpecError(`LAYERBENCH_BACKEND: ${JSON.stringify(backend)} must be one of ${BACKENDS.join(', ')}`);
  }
  const limits: PlanLimits = {};
  for (const [name, field] of Object.entries(LIMIT_VARIABLES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new SpecError(`${name}: ${JSON.stringify(value)} must be an integer ≥ 1`);
    limits[field] = n;
  }
  const timeout = env.LAYERBENCH_TRAIN_TIMEOUT_SECONDS;
  const trainTimeoutSeconds = timeout === undefined || timeout === '' ? undefined : Number(timeout);
  if (trainTimeoutSeconds !== undefined && !(Number.isSafeInteger(trainTimeoutSeconds) && trainTimeoutSeconds >= 1)) {
    throw new SpecError(`LAYERBENCH_TRAIN_TIMEOUT_SECONDS: ${JSON.stringify(timeout)} must be an integer ≥ 1`);
  }
  return { bucket, prefix, ...(backend ? { backend } : {}), limits, ...(trainTimeoutSeconds !== undefined ? { trainTimeoutSeconds } : {}) };
}

let cached: { env: HandlerEnvironment; store: S3Store } | undefined;

/**
 * The environment and the S3 store, built once per Lambda container and reused by warm invocations.
 * `tracer`: its S3 calls appear in the function's X-Ray trace.
 */
export function handlerContext(tracer?: { captureAWSv3Client<C>(client: C): C }): { env: HandlerEnvironment; store: S3Store } {
  if (!cached) {
    const env = readHandlerEnvironment();
    const store = new S3Store({ bucket: env.bucket, prefix: env.prefix });
    tracer?.captureAWSv3Client(store.client);
    cached = { env, store };
  }
  return cached;
}
