/**
 * Report handler: `{ runs }` in (Aggregate's run summaries), ReportOutput out. All logic lives in
 * src/steps/report.ts (report.html/md, the run's history entry and its comparison with earlier runs).
 * A run that regressed beyond noise is counted in the `Regressions` metric (an alarm watches it) and
 * announced as a "Sweep Regressed" event on the bus LAYERBENCH_EVENT_BUS names (default: default).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { regressionEvents, report } from '../../src/steps/report.js';
import type { ReportInput, ReportOutput } from '../../src/steps/types.js';
import { parsePriceOverrides, priceTable } from '../../src/cost/prices.js';
import { handlerContext } from '../shared/environment.js';
import { publishEvents } from '../shared/events.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('report');
let events: EventBridgeClient | undefined;

export async function handler(event: ReportInput, context?: LambdaContext): Promise<ReportOutput> {
  return invoke(o, context, async () => {
    const { store } = handlerContext(o.tracer);
    // The leaderboard it rewrites prices with the same table as Aggregate (stack context `prices`).
    const prices = priceTable(process.env.LAYERBENCH_PRICES ? parsePriceOverrides(process.env.LAYERBENCH_PRICES, 'LAYERBENCH_PRICES') : {});
    const out = await report(store, event, { prices });
    for (const run of out.runs) o.logger.info('run reported', { ...run });
    const regressions = regressionEvents(out);
    o.metrics.addMetric('Regressions', MetricUnit.Count, regressions.length);
    if (regressions.length > 0) {
      events ??= o.tracer.captureAWSv3Client(new EventBridgeClient({}));
      await publishEvents(events, process.env.LAYERBENCH_EVENT_BUS || 'default', regressions);
      o.logger.warn('regression beyond noise', { runs: regressions.map((r) => r.detail) });
    }
    return out;
  });
}
