/**
 * RecordFailure handler: the Map's Catch output (`{ runId, candidateId, error }`) in, the candidate's
 * failed document written. All logic lives in src/steps/record-failure.ts.
 */
import { recordFailure, type RecordFailureOutput } from '../../src/steps/record-failure.js';
import type { CaughtFailure } from '../../src/steps/types.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('record-failure');

export async function handler(event: CaughtFailure, context?: LambdaContext): Promise<RecordFailureOutput> {
  return invoke(o, context, async () => {
    const { store } = handlerContext(o.tracer);
    o.logger.appendKeys({ runId: event?.runId, candidateId: event?.candidateId });
    const out = await recordFailure(store, event);
    o.metrics.addMetric('CandidatesCaught', MetricUnit.Count, 1);
    o.logger.warn('candidate failed outright', { ...out, error: event?.error?.Error });
    return out;
  });
}
