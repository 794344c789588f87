/**
 * Report handler: `{ runs }` in (Aggregate's run summaries), ReportOutput out. All logic lives in
 * src/steps/report.ts (report.html/md, the run's history entry and its comparison with earlier runs).
 */
import { report } from '../../src/steps/report.js';
import type { ReportInput, ReportOutput } from '../../src/steps/types.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('report');

export async function handler(event: ReportInput, context?: LambdaContext): Promise<ReportOutput> {
  return invoke(o, context, async () => {
    const { store } = handlerContext(o.tracer);
    const out = await report(store, event);
    for (const run of out.runs) o.logger.info('run reported', { ...run });
    return out;
  });
}
