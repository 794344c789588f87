import { describe, expect, it } from 'vitest';
import { count, fmtInterval, fmtMeanSe, fmtPair, fmtRounded, fmtUncertainty, fmtUsd, fmtUsds, fmtValue, metricUnit, roundingExponent, usdDecimals } from '../src/format.js';

describe('mean ± standard error, rounded to the uncertainty', () => {
  it('gives the mean three significant digits, never finer than the standard error’s second digit nor coarser than its first', () => {
    // The ragged "0.7226 ± 0.01235": three significant digits, the se two.
    expect(fmtMeanSe(0.72263, 0.01235)).toBe('0.723 ± 0.012');
    expect(fmtMeanSe(0.842, 0.0035355)).toBe('0.842 ± 0.0035');
    expect(fmtMeanSe(2.7312, 0.134, 'mpg')).toBe('2.73 ± 0.13 mpg');
    expect(fmtMeanSe(1234.5, 56.7)).toBe('1,230 ± 57');
    expect(fmtMeanSe(12345, 678)).toBe('12,300 ± 680');
    // A standard error below the third digit: the mean to its first digit.
    expect(fmtMeanSe(0.99012, 0.00012)).toBe('0.9901 ± 0.00012');
    // A standard error above it: the mean to its second digit, no further.
    expect(fmtMeanSe(0.0123, 0.25)).toBe('0.01 ± 0.25');
  });

  it('has no ± at all with one trial, and ± 0 when every trial agrees', () => {
    expect(fmtMeanSe(0.72263, null)).toBe('0.723');
    expect(fmtMeanSe(1, 0)).toBe('1.00 ± 0');
    expect(fmtMeanSe(1.36, null, 'ppm')).toBe('1.36 ppm');
  });

  it('writes the uncertainty itself with two significant digits and rounds interval ends like the mean', () => {
    expect(fmtUncertainty(0.01235)).toBe('0.012');
    expect(fmtUncertainty(0.0995)).toBe('0.100');
    expect(fmtUncertainty(14.2)).toBe('14');
    expect(roundingExponent(0.01235)).toBe(-3);
    expect(roundingExponent(0)).toBeNull();
    expect(fmtInterval({ lo: 0.69821, hi: 0.74705 }, 0.01235)).toBe('0.698 – 0.747');
    expect(fmtInterval([1.1, 1.5], 0.1, 'ppm')).toBe('1.10 – 1.50 ppm');
    expect(fmtInterval(null, null)).toBe('no interval');
    expect(fmtRounded(-0.0004, 0.01)).toBe('0.000');
  });

  it('gives values without an uncertainty three significant digits, thousands grouped', () => {
    expect(fmtValue(0.574)).toBe('0.574');
    expect(fmtValue(1.36)).toBe('1.36');
    expect(fmtValue(27_000)).toBe('27,000');
    expect(fmtValue(1441)).toBe('1,441');
    expect(fmtValue(0)).toBe('0');
    expect(fmtValue(null)).toBe('—');
  });
});

describe('values compared in a sentence', () => {
  it('adds digits until two different values read differently', () => {
    // The "validation loss went 0.007 → 0.007".
    expect(fmtPair(0.00701, 0.00704)).toEqual(['0.00701', '0.00704']);
    expect(fmtPair(0.0070012, 0.0070034)).toEqual(['0.007001', '0.007003']);
    expect(fmtPair(0.85, 0.8, 'mpg')).toEqual(['0.850 mpg', '0.800 mpg']);
  });
});

describe('units and counts', () => {
  it('puts the data unit on errors (squared for mse), never on accuracy', () => {
    expect(metricUnit('rmse', 'ppm')).toBe('ppm');
    expect(metricUnit('mae', 'mpg')).toBe('mpg');
    expect(metricUnit('mse', 'mpg')).toBe('mpg²');
    expect(metricUnit('accuracy', 'mpg')).toBeNull();
    expect(metricUnit('rmse', undefined)).toBeNull();
  });

  it('agrees the noun with the number', () => {
    expect(count(1, 'candidate')).toBe('1 candidate');
    expect(count(0, 'trial')).toBe('0 trials');
    expect(count(1200, 'row')).toBe('1,200 rows');
  });
});

describe('dollars', () => {
  it('writes figures read together at one precision: "$0.02 of about $0.0066" made the first look exact', () => {
    expect(fmtUsds([0.0155, 0.0066])).toEqual(['0.0155', '0.0066']);
    expect(fmtUsds([0.5, 0.25])).toEqual(['0.50', '0.25']);
    expect(fmtUsds([1234.5, 0.25])).toEqual(['1,234.50', '0.25']);
    expect(fmtUsds([0, 0.00028])).toEqual(['0', '0.00028']);
    expect(usdDecimals(0.0155, 0.0066)).toBe(4);
    expect(usdDecimals(0, 0)).toBe(2);
  });

  it('gives a figure alone cents from ten cents up, else two significant digits', () => {
    expect(fmtUsd(1.234)).toBe('1.23');
    expect(fmtUsd(0.1)).toBe('0.10');
    expect(fmtUsd(0.0155)).toMatch(/^0\.01[56]$/);
    expect(fmtUsd(0.00028)).toBe('0.00028');
    expect(fmtUsd(0)).toBe('0');
  });
});
