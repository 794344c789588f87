/**
 * Train handler: one Map item (`{ runId, candidateId }`) in, TrainOutput out. All logic lives in
 * src/steps/train.ts. The same bundle's `finalize` export is the Finalize function (Aggregate's runs
 * in, the runs with their final model out; src/steps/finalize.ts), deployed with Train's resources. Metrics per candidate: its wall time, success or failure, and the backend that
 * trained it (a dimension), read back from the candidate document the step wrote.
 *
 * The wasm backend's .wasm binaries lie next to the bundle (copied by the NodejsFunction's
 * afterBundling hook, or by the Dockerfile) and are pointed at here, before src/train/backend.ts
 * initialises the backend. In the container image `@tensorflow/tfjs-node` is tried first and wins
 * when it installed; the zip bundle has no tfjs-node and trains on wasm.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { candidateDocSchema } from '../../src/results/document.js';
import { finalize as finalizeStep } from '../../src/steps/finalize.js';
import { train } from '../../src/steps/train.js';
import type { FinalizeInput, FinalizeOutput, TrainOutput, WorkItem } from '../../src/steps/types.js';
import { keys } from '../../src/store/keys.js';
import { getJson } from '../../src/store/store.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';
import { fractionKey } from '../../src/results/learning-curve.js';

const o = observability('train');
const of = observability('finalize');

/** Where the bundle's .wasm files lie: beside the bundle (`__dirname`, from the bundle's banner), when they are there. */
function bundledWasmDir(): string | undefined {
  const dir = typeof __dirname === 'string' ? __dirname : undefined;
  return dir !== undefined && existsSync(join(dir, 'tfjs-backend-wasm.wasm')) ? `${dir}/` : undefined;
}

const wasmDir = bundledWasmDir();
if (wasmDir) tfWasm.setWasmPaths(wasmDir);

export async function handler(event: WorkItem, context?: LambdaContext): Promise<TrainOutput> {
  return invoke(o, context, async () => {
    const { store, env } = handlerContext(o.tracer);
    o.logger.appendKeys({ runId: event?.runId, candidateId: event?.candidateId });
    // Training checkpoints and hands over a safety margin before Lambda stops the invocation.
    const left = context?.getRemainingTimeInMillis?.();
    const out = await train(store, event, { backend: env.backend, datasetScope: 'store', ...(left !== undefined ? { stopsAt: Date.now() + left } : {}) });
    if (out.status === 'skipped') {
      o.logger.info('candidate already done', { ...out });
      o.metrics.addMetric('CandidatesSkipped', MetricUnit.Count, 1);
      return out;
    }
    if (out.status === 'continue') {
      // Checkpointed before training.maxTaskSeconds: the Map's TrainAgain Choice invokes it again.
      o.logger.info('candidate checkpointed, continuing in the next invocation', { ...out });
      o.metrics.addMetric('CandidateContinuations', MetricUnit.Count, 1);
      return out;
    }
    // A learning curve's item wrote the curve's point, not the candidate's document.
    const docKey = out.fraction === undefined ? keys.candidate(out.runId, out.candidateId) : keys.curvePoint(out.runId, out.candidateId, fractionKey(out.fraction));
    const doc = candidateDocSchema.parse(await getJson(store, docKey));
    o.metrics.addDimension('Backend', doc.backend.split(' ')[0] ?? doc.backend);
    o.metrics.addMetric('CandidateSeconds', MetricUnit.Seconds, doc.timing.wallSeconds);
    o.metrics.addMetric('CandidateFailures', MetricUnit.Count, doc.status === 'failed' ? 1 : 0);
    o.metrics.addMetadata('runId', out.runId);
    o.metrics.addMetadata('candidateId', out.candidateId);
    o.logger.info('candidate trained', {
      status: doc.status,
      backend: doc.backend,
      wallSeconds: doc.timing.wallSeconds,
      metric: doc.metric.mean,
      error: doc.error?.message,
    });
    return out;
  });
}

/** Finalize: refit each run's recommended candidate and save runs/<runId>/model/; a refit that fails is recorded, not thrown. */
export async function finalize(event: FinalizeInput, context?: LambdaContext): Promise<FinalizeOutput> {
  return invoke(of, context, async () => {
    const { store, env } = handlerContext();
    const out = await finalizeStep(store, event, { backend: env.backend });
    for (const run of out.runs) {
      if (!run.finalModel) continue;
      of.metrics.addMetric('FinalModelFailures', MetricUnit.Count, run.finalModel.status === 'failed' ? 1 : 0);
      of.logger.info('final model', { runId: run.runId, candidateId: run.recommended, ...run.finalModel });
    }
    return out;
  });
}
