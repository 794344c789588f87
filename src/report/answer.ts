/**
 * The answer to "which depth and width, and how sure?", worded once for every surface (report.html,
 * report.md, the terminal): the headline, how sure, why, the baseline, the test scores and the
 * caveats. The renderers only lay these sentences out.
 */
import type { RunDiagnosis, Finding } from './diagnose.js';
import { count, fmtInterval, fmtMeanSe, fmtValue, withUnit } from './format.js';
import {
  baselineSentence,
  certaintySentence,
  recommendedTest,
  type RankedCandidate,
  type RunAnalysis,
  type Summary,
} from './stats.js';

/** How every test score is labelled, wherever it appears. */
export const TEST_LABEL = 'Test — never used for choosing';

export interface Answer {
  kind: 'recommendation' | 'baseline-wins' | 'none';
  headline: string;
  howSure: string | null;
  why: string | null;
  baseline: string | null;
  /** Sentences about the held-out test split (see TEST_LABEL). */
  test: string[];
  /** The recommended candidate's findings other than healthy. */
  caveats: Finding[];
}

/** `3 hidden layers, 64 units each` (or filters), with the per-layer list when the width pattern varies. */
export function architectureWords(c: RankedCandidate): string {
  const cand = c.doc.candidate;
  const unit = cand.family === 'cnn' ? 'filters' : cand.family === 'lstm' ? 'LSTM units' : 'units';
  const layer = cand.family === 'cnn' ? 'conv block' : cand.family === 'lstm' ? 'LSTM layer' : 'hidden layer';
  const constant = cand.units.every((u) => u === cand.units[0]);
  const per = cand.depth === 1 ? `${cand.width} ${unit}` : constant ? `${cand.width} ${unit} each` : `${cand.units.join(' → ')} ${unit}`;
  return `${cand.depth} ${layer}${cand.depth === 1 ? '' : 's'}, ${per}`;
}

export function answerFor(a: RunAnalysis, diagnosis?: RunDiagnosis | null): Answer {
  const rec = a.recommended;
  const caveats = rec ? (diagnosis?.candidates.find((d) => d.candidateId === rec.candidate.id)?.findings.filter((f) => f.kind !== 'healthy') ?? []) : [];
  const shared = { howSure: a.best ? certaintySentence(a) : null, baseline: baselineSentence(a), test: testSentences(a), caveats };
  if (rec) {
    const c = rec.candidate;
    return {
      kind: 'recommendation',
      headline: `Use depth ${c.depth} and width ${c.width}: ${architectureWords(c)} (${c.params === null ? 'unknown parameter count' : count(c.params, 'parameter')}).`,
      why: rec.reason,
      ...shared,
    };
  }
  if (a.noRecommendation) return { kind: 'baseline-wins', headline: 'No network beats the baseline.', why: a.noRecommendation, ...shared };
  return { kind: 'none', headline: 'No answer: no candidate produced a result.', why: null, ...shared, howSure: null };
}

function scoreWithInterval(s: Summary, unit: string | null): string {
  const n = count(s.n, 'trial model');
  return s.ci
    ? `${fmtMeanSe(s.mean, s.se, unit)} over its ${n} (95 % CI ${fmtInterval(s.ci, s.se, unit)})`
    : `${fmtMeanSe(s.mean, s.se, unit)} (${n}: no interval)`;
}

/**
 * The held-out test split, told: the recommended candidate's score (the final model's when it
 * exists), the best-ranked candidate's, and whether the recommendation's test score falls inside its
 * validation interval — with the likely reasons when it does not.
 */
export function testSentences(a: RunAnalysis): string[] {
  const m = a.metric;
  const rec = a.recommended?.candidate ?? null;
  const rt = recommendedTest(a);
  const best = a.best;
  const out: string[] = [];
  if (!rt && !best?.test) {
    return ['No test score: this run held out no test split (evaluation.test), so nothing here estimates performance on unseen data.'];
  }
  if (rec && rt) {
    if (rt.source === 'final model') {
      out.push(`The final model (${rec.label} refit on all non-test rows) scores ${m} ${withUnit(fmtValue(rt.score), a.unit)} on ${count(rt.rows, 'test row')}.`);
      if (rec.test) out.push(`${rec.label}'s trial models score ${scoreWithInterval(rec.test, a.unit)}.`);
    } else {
      out.push(`The recommended ${rec.label} scores ${m} ${scoreWithInterval(rec.test!, a.unit)} on ${count(rt.rows, 'test row')}.`);
    }
    if (rt.outside === null) {
      out.push(
        rec.summary.n < 2
          ? 'With one trial there is no validation interval to check it against.'
          : `Its ${rec.summary.n} trials scored exactly the same on validation, so there is no validation interval to check it against.`,
      );
    }
    else if (!rt.outside) out.push(`That is within its validation 95 % interval (${fmtInterval(rt.validationCi, rec.summary.se, a.unit)}).`);
    else {
      out.push(
        `That is outside its validation 95 % interval (${fmtInterval(rt.validationCi, rec.summary.se, a.unit)}): ${rt.worse ? 'worse' : 'better'} than validation promised. ` +
          `Likely reasons: ${outsideReasons(a, rt.worse, rt.rows, rt.source === 'final model').join('; ')}.`,
      );
    }
  }
  if (best?.test && best !== rec) {
    out.push(`The best-ranked ${best.label} scores ${m} ${scoreWithInterval(best.test, a.unit)} on ${count(best.test.rows, 'test row')}.`);
  }
  return out;
}

function outsideReasons(a: RunAnalysis, worse: boolean, rows: number, final: boolean): string[] {
  const forecast = a.recommended?.candidate.doc.candidate.family === 'lstm';
  const reasons: string[] = [];
  if (worse) {
    reasons.push('the validation rows chose both the early-stopping epoch and the candidate, which makes validation scores optimistic');
    if (forecast) reasons.push('the test split is the last stretch of time, which may behave differently from the earlier validation periods');
    else reasons.push('the test rows may differ from the rows the model was validated on');
  } else {
    reasons.push('the test rows may be easier than the validation rows');
    if (final) reasons.push('the final model trained on more rows than any trial');
  }
  if (final) reasons.push('the final model is one refit for a fixed number of epochs, a single draw rather than an average over trials');
  if (rows < 200) reasons.push(`the test split has only ${count(rows, 'row')}, so its score is itself noisy`);
  return reasons;
}
