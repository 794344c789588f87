/**
 * Aggregate handler: `{ runs, results }` in, AggregateOutput out. All logic lives in
 * src/steps/aggregate.ts (leaderboard and recommendation; the report is the Report step's).
 */
import { aggregate } from '../../src/steps/aggregate.js';
import type { AggregateInput, AggregateOutput } from '../../src/steps/types.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('aggregate');

export async function handler(event: AggregateInput, context?: LambdaContext): Promise<AggregateOutput> {
  return invoke(o, context, async () => {
    const { store } = handlerContext(o.tracer);
    const out = await aggregate(store, event);
    for (const run of out.runs) {
      o.metrics.addMetric('CandidatesSucceeded', MetricUnit.Count, run.succeeded);
      o.metrics.addMetric('CandidatesFailed', MetricUnit.Count, run.failed);
      o.logger.info('run aggregated', { ...run });
    }
    return out;
  });
}
