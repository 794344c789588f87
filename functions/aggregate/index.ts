/**
 * Aggregate handler: `{ runs, results }` in, AggregateOutput out. All logic lives in
 * src/steps/aggregate.ts (leaderboard and recommendation; the report is the Report step's).
 */
import { aggregate } from '../../src/steps/aggregate.js';
import { promote } from '../../src/steps/promote.js';
import { PROMOTE_STEP, type AggregateInput, type AggregateOutput, type PlanOutput, type PromoteInput } from '../../src/workflow/contract.js';
import { parsePriceOverrides, priceTable } from '../../src/cost/prices.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('aggregate');

/** Overrides of the price table from the stack context `prices` (JSON), if any. */
const prices = () => priceTable(process.env.LAYERBENCH_PRICES ? parsePriceOverrides(process.env.LAYERBENCH_PRICES, 'LAYERBENCH_PRICES') : {});

export async function handler(event: AggregateInput | (PromoteInput & { step: typeof PROMOTE_STEP }), context?: LambdaContext): Promise<AggregateOutput | PlanOutput> {
  // The Promote state between halving rounds runs here too (infra/workflow.ts): the same reads, the same bundle.
  if ('step' in event && event.step === PROMOTE_STEP) {
    return invoke(o, context, async () => {
      const { store } = handlerContext(o.tracer);
      const out = await promote(store, event, { prices: prices() });
      o.logger.info('round opened', { itemsKey: out.itemsKey, itemCount: out.itemCount });
      return out;
    });
  }
  return invoke(o, context, async () => {
    const { store } = handlerContext(o.tracer);
    const out = await aggregate(store, event as AggregateInput, { prices: prices() });
    for (const run of out.runs) {
      o.metrics.addMetric('CandidatesSucceeded', MetricUnit.Count, run.succeeded);
      o.metrics.addMetric('CandidatesFailed', MetricUnit.Count, run.failed);
      o.logger.info('run aggregated', { ...run });
    }
    return out;
  });
}
