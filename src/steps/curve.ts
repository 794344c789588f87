/**
 * The learning curve's round (spec `learningCurve`; the statistics in src/results/learning-curve.ts).
 * It runs through the same state machine as a search in rounds, with no state of its own: once the
 * search is done, Aggregate says another round is due (`curveRoundDue`), the MoreRounds Choice goes to
 * Promote, which opens the curve round (`openCurveRound`: writes the curve's plan once, from the
 * leaderboard Aggregate just wrote, and the items of the points not yet trained), the Map trains them
 * with the Train step (each item carries its `fraction`), and the next Aggregate finds the plan written,
 * so no round is due, and writes the curve's analysis (`writeLearningCurve`).
 *
 * Idempotent: a retried Promote finds the plan and hands out only the points without a document; a
 * resumed run (Plan) adds the points still missing to its items.
 */
import { readCandidateDoc, type CandidateDoc } from '../results/document.js';
import { analyzeLearningCurve, chooseCurveCandidates, curvePlanSchema, fractionKey, CURVE_PLAN_SCHEMA, type CurvePlan, type LearningCurveDoc } from '../results/learning-curve.js';
import { parseLeaderboard } from '../results/leaderboard-read.js';
import { metricUnit } from '../format.js';
import { higherIsBetter, rankingMetric } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { getJson, putJson, putJsonIfAbsent, type Store } from '../store/store.js';
import type { RunManifest } from '../results/manifest.js';
import type { WorkItem } from './types.js';

/** The curve's plan, when its round was opened; null before (or when the spec asks for no curve). */
export async function readCurvePlan(store: Store, runId: string): Promise<CurvePlan | null> {
  const key = keys.curvePlan(runId);
  return (await store.exists(key)) ? curvePlanSchema.parse(await getJson(store, key)) : null;
}

/** Aggregate: the search is done, the spec asks for a curve, and its round has not been opened. */
export async function curveRoundDue(store: Store, manifest: RunManifest, searchDone: boolean): Promise<boolean> {
  return searchDone && manifest.sweep.learningCurve !== undefined && !(await store.exists(keys.curvePlan(manifest.runId)));
}

/** The curve's items whose point has no document yet, larger fractions first (the longer tasks start early). */
async function missingItems(store: Store, runId: string, plan: CurvePlan): Promise<WorkItem[]> {
  const present = new Set(await store.list(keys.curvePrefix(runId)));
  const items: WorkItem[] = [];
  for (const f of [...plan.fractions].reverse()) {
    if (f >= 1) continue;
    for (const { candidateId } of plan.candidates) {
      if (!present.has(keys.curvePoint(runId, candidateId, fractionKey(f)))) items.push({ runId, candidateId, fraction: f });
    }
  }
  return items;
}

/** Promote: write the curve's plan (once) from the run's leaderboard, and return the items of its round. */
export async function openCurveRound(store: Store, manifest: RunManifest, now: Date): Promise<WorkItem[]> {
  const curve = manifest.sweep.learningCurve;
  if (!curve) return [];
  const runId = manifest.runId;
  let plan = await readCurvePlan(store, runId);
  if (!plan) {
    const lbKey = keys.leaderboard(runId, 'json');
    const lb = parseLeaderboard(await getJson(store, lbKey), lbKey);
    const rows = [...lb.rows].sort((a, b) => a.rank - b.rank).map((r) => ({ candidateId: r.candidateId, params: r.params }));
    const fresh: CurvePlan = {
      schema: CURVE_PLAN_SCHEMA,
      runId,
      fractions: curve.fractions,
      candidates: chooseCurveCandidates(rows, lb.recommended?.candidateId ?? null),
      createdAt: now.toISOString(),
    };
    plan = (await putJsonIfAbsent(store, keys.curvePlan(runId), fresh)) ? fresh : await readCurvePlan(store, runId);
  }
  return plan ? missingItems(store, runId, plan) : [];
}

/** Plan, resuming a run: the curve's points still missing once its round was opened (none before). */
export async function resumedCurveItems(store: Store, runId: string): Promise<WorkItem[]> {
  const plan = await readCurvePlan(store, runId);
  return plan ? missingItems(store, runId, plan) : [];
}

/** Aggregate: the curve's analysis from its points and the curve candidates' own documents (read here: a few), once its round was opened. */
export async function writeLearningCurve(store: Store, manifest: RunManifest, now: Date): Promise<LearningCurveDoc | null> {
  const runId = manifest.runId;
  const plan = await readCurvePlan(store, runId);
  if (!plan) return null;
  const present = new Set(await store.list(keys.curvePrefix(runId)));
  const points = new Map<string, CandidateDoc>();
  const full = new Map<string, CandidateDoc>();
  for (const { candidateId } of plan.candidates) {
    const own = await readCandidateDoc(store, keys.candidate(runId, candidateId)).catch(() => null);
    if (own?.ok) full.set(candidateId, own.doc);
    for (const f of plan.fractions) {
      const key = keys.curvePoint(runId, candidateId, fractionKey(f));
      if (f >= 1 || !present.has(key)) continue;
      const read = await readCandidateDoc(store, key);
      if (read.ok) points.set(`${candidateId}@${fractionKey(f)}`, read.doc);
    }
  }
  const metric = rankingMetric(manifest.sweep);
  const doc = analyzeLearningCurve({
    runId,
    metric,
    higherIsBetter: higherIsBetter(metric),
    unit: metricUnit(metric, manifest.sweep.dataset.unit),
    plan,
    full,
    points,
    now,
  });
  await putJson(store, keys.learningCurve(runId), doc);
  return doc;
}
