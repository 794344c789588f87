/** Reading a leaderboard.json of any version back: v3 as it is, v2 and v1 lifted to v3 with the newer fields empty. */
import { z } from 'zod';
import { LayerbenchError } from '../errors.js';
import { tQuantile } from '../stats/index.js';
import { METRICS } from '../sweep/schema.js';
import {
  failedRowSchema,
  LEADERBOARD_SCHEMA,
  LEADERBOARD_SCHEMA_V1,
  LEADERBOARD_SCHEMA_V2,
  LEADERBOARD_UNCERTAINTY,
  leaderboardRowSchema,
  leaderboardSchema,
  testScoreSchema,
  type Leaderboard,
  type LeaderboardRow,
} from './leaderboard.js';

// ---------------------------------------------------------------------------------------------
// Reading a leaderboard back: v2 as it is, v1 lifted to v2.
// ---------------------------------------------------------------------------------------------

const v1RowSchema = z.object({
  rank: z.number().int(),
  candidateId: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  units: z.array(z.number().int()),
  params: z.number().int().nullable(),
  metric: z.object({ mean: z.number(), std: z.number().nullable(), n: z.number().int() }),
  epochs: z.number(),
  fitSeconds: z.number(),
  samplesPerSecond: z.number().nullable(),
  backend: z.string(),
});

const v1Schema = z.object({
  schema: z.literal(LEADERBOARD_SCHEMA_V1),
  runId: z.string(),
  sweep: z.string(),
  dataset: z.object({ key: z.string(), version: z.string() }),
  metric: z.object({ name: z.enum(METRICS), higherIsBetter: z.boolean() }),
  candidates: z.number().int(),
  rows: z.array(v1RowSchema),
  failed: z.array(failedRowSchema),
  generatedAt: z.string(),
});

/** A v1 row's spread as v2 states it: the standard error and the 95 % interval from std and n. */
function liftV1Metric(m: z.infer<typeof v1RowSchema>['metric']): LeaderboardRow['metric'] {
  if (m.std === null || m.n < 2) return { mean: m.mean, se: null, std: m.std, ci95: null, n: m.n };
  const se = m.std / Math.sqrt(m.n);
  const t = tQuantile(0.975, m.n - 1);
  return { mean: m.mean, se, std: m.std, ci95: [m.mean - t * se, m.mean + t * se], n: m.n };
}

// v2: "≈ best" two-sided, the one-standard-error rule, no answer; final test without an interval.
const v2RowSchema = leaderboardRowSchema.omit({ vsBest: true, vsBaseline: true, test: true }).extend({
  vsBest: z.object({ test: z.enum(['paired', 'welch']), p: z.number(), pairs: z.number().int().nullable() }).nullable(),
  withinOneSe: z.boolean().nullable(),
  vsBaseline: z.object({ verdict: z.enum(['beats', 'not-clearly-better', 'better-untested', 'does-not-beat']), difference: z.number(), p: z.number().nullable() }).nullable(),
});

const v2Schema = leaderboardSchema.omit({ schema: true, rows: true, answer: true, recommended: true }).extend({
  schema: z.literal(LEADERBOARD_SCHEMA_V2),
  rows: z.array(v2RowSchema),
  recommended: z
    .object({
      candidateId: z.string(),
      rule: z.enum(['one-standard-error', 'best-only']),
      reason: z.string(),
      test: testScoreSchema.nullable(),
      finalTest: z.object({ metric: z.number(), rows: z.number().int() }).nullable(),
    })
    .nullable(),
});

/** A lifted document's answer: what v1 and v2 said, in v3's shape. */
function liftedAnswer(rows: { candidateId: string; depth: number; width: number }[], rec: { candidateId: string; reason: string; rule?: string } | null, none: string | null): Leaderboard['answer'] {
  const row = rec && rows.find((r) => r.candidateId === rec.candidateId);
  const outcome = rec ? (rec.rule === 'best-only' ? 'single-draw' : 'recommend') : none ? 'baseline' : rows.length === 0 ? 'none' : 'recommend';
  const headline = row
    ? `Use depth ${row.depth} and width ${row.width}.`
    : none
      ? 'No network beats the baseline.'
      : rows.length === 0
        ? 'No answer: no candidate produced a result.'
        : 'No recommendation was recorded.';
  return { outcome, headline, reason: rec?.reason ?? none, next: [], edges: [], needed: null, rule: 'older leaderboard: the one-standard-error rule with a two-sided paired test for "≈ best"' };
}

/** Parse a leaderboard.json of any version; v1 and v2 come back as v3 with the newer fields empty. */
export function parseLeaderboard(value: unknown, where = 'leaderboard.json'): Leaderboard {
  const v3 = leaderboardSchema.safeParse(value);
  if (v3.success) return v3.data;
  const v2 = v2Schema.safeParse(value);
  if (v2.success) {
    const lb = v2.data;
    const rec = lb.recommended;
    return {
      ...lb,
      schema: LEADERBOARD_SCHEMA,
      rows: lb.rows.map(({ withinOneSe: _w, ...r }) => ({
        ...r,
        vsBest: r.vsBest && { ...r.vsBest, pWorse: null },
        vsBaseline: r.vsBaseline && { ...r.vsBaseline, ci95: null },
        test: null,
      })),
      answer: liftedAnswer(lb.rows, rec, lb.noRecommendation),
      recommended: rec && {
        candidateId: rec.candidateId,
        reason: rec.reason,
        test: rec.test,
        finalTest: rec.finalTest && { metric: rec.finalTest.metric, se: null, ci95: null, n: 1, rows: rec.finalTest.rows },
      },
    };
  }
  const v1 = v1Schema.safeParse(value);
  if (v1.success) {
    const lb = v1.data;
    return {
      ...lb,
      schema: LEADERBOARD_SCHEMA,
      metric: { ...lb.metric, unit: null },
      uncertainty: LEADERBOARD_UNCERTAINTY,
      rows: lb.rows.map((r) => ({ ...r, metric: liftV1Metric(r.metric), vsBest: null, approxBest: null, vsBaseline: null, test: null })),
      baseline: null,
      best: lb.rows[0] ? { candidateId: lb.rows[0].candidateId, test: null } : null,
      answer: liftedAnswer(lb.rows, null, null),
      recommended: null,
      noRecommendation: null,
    };
  }
  const issue = v3.error.issues[0]!;
  throw new LayerbenchError(`${where}: not a ${LEADERBOARD_SCHEMA} (or v2, v1) document (${issue.path.join('.') || '(root)'}: ${issue.message})`, { code: 'E_DOCUMENT', kind: 'fatal' });
}
