/**
 * Plan handler: execution input (PlanInput — from the upload rule, the nightly schedule or the CLI) in,
 * PlanOutput out (the runs and the key of the item list it wrote). All logic lives in src/steps/plan.ts.
 */
import { plan, planOutput } from '../../src/steps/plan.js';
import type { PlanInput, PlanOutput } from '../../src/steps/types.js';
import { boundedMessage } from '../../src/errors.js';
import { handlerContext } from '../shared/environment.js';
import { invoke, MetricUnit, observability, type LambdaContext } from '../shared/observability.js';

const o = observability('plan');

export async function handler(event: PlanInput, context?: LambdaContext): Promise<PlanOutput> {
  return invoke(o, context, async () => {
    const { store, env } = handlerContext(o.tracer);
    o.logger.info('planning', { trigger: event?.trigger, key: event?.key });
    // In the cloud a dataset is a key in the bucket, and the deployment's guardrails apply.
    const out = planOutput(await plan(store, event, { datasetScope: 'store', limits: env.limits, trainTimeoutSeconds: env.trainTimeoutSeconds }));
    const duplicates = out.runs.filter((r) => r.duplicate).length;
    o.metrics.addMetric('RunsPlanned', MetricUnit.Count, out.runs.length - duplicates);
    o.metrics.addMetric('DuplicateRuns', MetricUnit.Count, duplicates);
    o.metrics.addMetric('CandidatesPlanned', MetricUnit.Count, out.itemCount);
    o.logger.info('planned', { runs: out.runs, itemsKey: out.itemsKey, items: out.itemCount, skippedSweeps: out.skipped?.length ?? 0 });
    // One line per sweep a fan-out could not run (the nightly cap, a broken sweep): its key and why, nothing else.
    for (const s of out.skipped ?? []) o.logger.warn('sweep skipped', { key: s.key, reason: boundedMessage(s.reason) });
    return out;
  });
}
