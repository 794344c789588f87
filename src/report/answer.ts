/**
 * The answer to "which depth and width, and how sure?", laid out for every surface (report.html,
 * report.md): the headline and why (the decision's words, src/results/verdict.ts), how sure, the
 * baseline, the test scores, what to try next and the caveats. The renderers only lay these out.
 */
import type { RunDiagnosis, Finding } from './diagnose.js';
import { count, fmtInterval, fmtMeanSe, fmtValue, withUnit } from '../format.js';
import { SIGNIFICANCE, type Outcome } from '../stats/index.js';
import { finalModelTest, recommendedTest, type RunAnalysis, type TestScore } from '../results/analysis.js';
import { answerWords, OUTCOME_MEANING, testScoreWords, testWords } from '../results/verdict.js';

export { architectureWords } from '../results/verdict.js';

/** How every test score is labelled, wherever it appears. */
export const TEST_LABEL = 'Test — never used for choosing';

export interface Answer {
  kind: Outcome;
  headline: string;
  /** What the answer leads with, right under the headline: the held-out test contradicting the choice (src/results/verdict.ts testWords). */
  warnings: string[];
  /** What the outcome means, one clause. */
  meaning: string;
  howSure: string | null;
  why: string | null;
  baseline: string | null;
  /** Sentences about the held-out test split (see TEST_LABEL). */
  test: string[];
  /** What to try next. */
  next: string[];
  /** The recommended candidate's findings other than healthy. */
  caveats: Finding[];
}

export function answerFor(a: RunAnalysis, diagnosis?: RunDiagnosis | null): Answer {
  const rec = a.recommended;
  const words = answerWords(a);
  const caveats = rec ? (diagnosis?.candidates.find((d) => d.candidateId === rec.id)?.findings.filter((f) => f.kind !== 'healthy') ?? []) : [];
  return {
    kind: words.outcome,
    headline: words.headline,
    warnings: words.warnings,
    meaning: OUTCOME_MEANING[words.outcome],
    howSure: a.best ? certaintySentence(a) : null,
    why: words.reason,
    baseline: baselineSentence(a),
    test: a.best ? testSentences(a) : [],
    next: words.next,
    caveats,
  };
}

/** One sentence on how sure the ranking is. */
export function certaintySentence(a: RunAnalysis): string {
  const best = a.best;
  if (!best) return 'No candidate produced a metric, so there is nothing to recommend.';
  if (best.summary.se === null) return 'Each candidate was trained once, so there is no standard error and no interval: treat the ranking as a single draw.';
  const others = a.ranked.filter((c) => c !== best);
  const tested = others.filter((c) => c.approxBest !== null);
  const alike = tested.filter((c) => c.approxBest === true).length;
  const welch = others.filter((c) => c.vsBest?.kind === 'welch').length;
  const test = welch === tested.length && welch > 0 ? "Welch's t-test; the trials could not be paired" : 'one-sided paired t-test on the same folds and repeats, Nadeau–Bengio corrected';
  const worse = `significantly worse (${test}, p < ${SIGNIFICANCE})`;
  const same = `as good as it ("≈ best": not significantly worse and within its standard error)`;
  const parts = [
    `The best mean ${a.metric} is ${fmtMeanSe(best.summary.mean, best.summary.se, a.unit)} (95 % CI ${fmtInterval(best.summary.ci, best.summary.se, a.unit)}, ${count(best.summary.n, 'trial')}).`,
  ];
  if (others.length === 0) parts.push('It was the only candidate with a result.');
  else if (tested.length > 0) {
    if (alike === 0) parts.push(`${tested.length === 1 ? 'The other candidate is' : `All ${tested.length} other candidates are`} ${worse}.`);
    else if (alike === tested.length) parts.push(`${tested.length === 1 ? 'The other candidate is' : `All ${tested.length} other candidates are`} ${same} (${test}).`);
    else {
      const open = tested.filter((c) => c.undecided).length;
      parts.push(
        `${alike} of the other ${tested.length} ${alike === 1 ? 'is' : 'are'} ${same}` +
          (open > 0 ? `; ${open} ${open === 1 ? 'is' : 'are'} not significantly worse but trail${open === 1 ? 's' : ''} by more than a standard error (undecided)` : '') +
          (tested.length - alike - open > 0 ? `; the rest are ${worse}` : '') +
          '.',
      );
    }
  }
  const untestable = others.length - tested.length;
  if (untestable > 0) parts.push(`${count(untestable, 'candidate')} could not be tested (one trial).`);
  return parts.join(' ');
}

/** One sentence on the baseline and which candidates beat it; null without a baseline. */
export function baselineSentence(a: RunAnalysis): string | null {
  const b = a.baseline;
  if (!b) return null;
  const head = `The baseline "${b.name}" — ${b.description} — scores ${a.metric} ${fmtMeanSe(b.summary.mean, b.summary.se, a.unit)} on the same splits.`;
  const total = a.ranked.length;
  if (total === 0) return head;
  const by = (v: string) => a.ranked.filter((c) => c.vsBaseline?.verdict === v).length;
  const beats = by('beats');
  const unclear = by('not-clearly-better') + by('better-untested');
  const loses = by('does-not-beat');
  const parts = [head];
  if (beats === total) parts.push(`${total === 1 ? 'The only candidate beats' : `All ${total} candidates beat`} it (one-sided paired test, p < ${SIGNIFICANCE}).`);
  else if (beats === 0) parts.push(`${total === 1 ? 'The only candidate does' : `None of the ${total} candidates does`} significantly better.`);
  else parts.push(`${beats} of ${count(total, 'candidate')} beat it significantly (one-sided paired test, p < ${SIGNIFICANCE}).`);
  if (unclear > 0 && beats < total) parts.push(`${count(unclear, 'candidate')} ${unclear === 1 ? 'is' : 'are'} better on average but not clearly.`);
  if (loses > 0) parts.push(`${count(loses, 'candidate')} ${loses === 1 ? 'scores' : 'score'} no better than it — networks that learned nothing the baseline does not know.`);
  return parts.join(' ');
}

/**
 * The held-out test split, told: the final model's score (the model handed over) with the interval of
 * its score on new rows, the recommended candidate's trial models with theirs, the best-ranked
 * candidate's, and whether the test agrees with validation.
 */
export function testSentences(a: RunAnalysis): string[] {
  const m = a.metric;
  const rec = a.recommended;
  const best = a.best;
  const out: string[] = [];
  const rt = recommendedTest(a);
  const final = rec && a.final?.candidateId === rec.id ? finalModelTest(a.final, m) : null;
  const vsBaseline = testWords(a);
  if (!rt && !best?.test) return ['No test score: this run held out no test split (evaluation.test), so nothing here estimates performance on unseen data.'];
  if (rec) {
    if (final) {
      out.push(
        `The final model — ${rec.label} refit on all non-test rows, the model handed over — scores ${m} ${testScoreWords(final, a.unit)}; ` +
          'the interval is where its score on new rows like these is likely to fall (the test rows are a sample too).',
      );
    }
    if (rec.test) {
      out.push(
        `${final ? `Its ${rec.test.n} trial models` : `The recommended ${rec.label}'s ${rec.test.n} trial models`} score ${m} ${testScoreWords(rec.test, a.unit)} — ` +
          'an interval about what this architecture scores when trained again (retraining and test-row sampling).',
      );
    }
    const t = final ?? rec.test;
    const v = rec.summary.ci;
    if (t && v && t.ci) {
      const overlap = t.ci.lo <= v.hi && v.lo <= t.ci.hi;
      const what = t === final ? "The final model's" : 'The trial models’';
      out.push(
        overlap && vsBaseline.warning
          ? `${what} test interval overlaps the validation interval (${fmtInterval(v, rec.summary.se, a.unit)}): the score is within what validation promised, but not its lead over the baseline.`
          : overlap
            ? `${what} test interval overlaps the validation interval (${fmtInterval(v, rec.summary.se, a.unit)}): the test agrees with what validation promised.`
            : `${what} test interval lies ${(a.higherIsBetter ? t.ci.hi < v.lo : t.ci.lo > v.hi) ? 'below' : 'above'} the validation interval (${fmtInterval(v, rec.summary.se, a.unit)}). ${outsideReason(a, t, a.higherIsBetter ? t.ci.hi < v.lo : t.ci.lo > v.hi)}`,
      );
    }
  }
  if (vsBaseline.sentence) out.push(vsBaseline.sentence);
  else if (vsBaseline.warning && a.baseline?.test)
    out.push(`The baseline scores ${m} ${withUnit(fmtValue(a.baseline.test.metric), a.unit)} on the same ${count(a.baseline.test.rows, 'test row')}: see the warning at the top of the answer.`);
  if (best?.test && best !== rec) out.push(`The best-ranked ${best.label}'s trial models score ${m} ${testScoreWords(best.test, a.unit)}.`);
  if (a.outcome === 'baseline' && a.baseline?.test) out.push(`The baseline scores ${m} ${testScoreWords({ score: a.baseline.test.metric, se: null, ci: null, rows: a.baseline.test.rows }, a.unit)}.`);
  return out;
}

function outsideReason(a: RunAnalysis, t: TestScore, worse: boolean): string {
  const forecast = a.recommended?.doc.candidate.family === 'lstm';
  if (worse) {
    return (
      'Likely reasons: the validation rows chose both the early-stopping epoch and the candidate, which makes validation optimistic; ' +
      (forecast ? 'the test split is the latest stretch of time, which may behave differently from the earlier validation periods.' : 'the test rows may differ from the validation rows.')
    );
  }
  return `Likely reasons: the test rows may be easier than the validation rows${t.source === 'final model' ? ', and the final model trained on more rows than any trial' : ''}.`;
}
