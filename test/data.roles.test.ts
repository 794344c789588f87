/**
 * Column roles decided from the data (src/data/roles.ts): identifiers and free text left out with a
 * note, high-cardinality categoricals capped to their most frequent training values and "(other)",
 * dates read into cyclic inputs and used as the order — told in the data summary and the terminal,
 * and overridable in the spec.
 */
import { describe, expect, it } from 'vitest';
import { dateCycles, dateFormatOf, datePart, instant, readDate } from '../src/data/dates.js';
import { parseDataset } from '../src/data/parse.js';
import type { ParsedDataset, TabularDataset } from '../src/data/dataset.js';
import { fitPreprocessing } from '../src/data/preprocess.js';
import { encode } from '../src/data/encode.js';
import { OTHER_CATEGORY, parsePreprocessing } from '../src/data/preprocessing-schema.js';
import { readCsvRows } from '../src/data/read-rows.js';
import { readCsv } from '../src/data/csv.js';
import { materialise } from '../src/data/split.js';
import { dataSummary } from '../src/data/summary.js';
import { dataBlock, dataFacts } from '../src/report/data-text.js';
import { dataSummarySchema } from '../src/results/data-summary.js';
import { datasetSchema, sweepSpecSchema } from '../src/sweep/schema.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (fields: Record<string, unknown>, text: string) => parseDataset(datasetSchema.parse({ key: 'd.csv', ...fields }), bytes(text));

function tabular(p: ParsedDataset): TabularDataset {
  if (p.kind !== 'tabular') throw new Error(`expected tabular, got ${p.kind}`);
  return p;
}

const roleOf = (p: TabularDataset) => Object.fromEntries(p.roles.map((r) => [r.name, r.role]));

/**
 * 120 people in a shuffled file: an id (a row number), a name each, a comment of free text each, a
 * city among 25 (the first five common), the day they joined (120 days), a score and the target.
 */
function people(): string {
  const cities = Array.from({ length: 25 }, (_, k) => `city ${String.fromCharCode(97 + k)}`);
  const rows = Array.from({ length: 120 }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const city = i % 2 === 0 ? cities[i % 5]! : cities[(i * 7) % 25]!;
    const comment = `customer ${i} said the service was ${['fine', 'slow', 'quick'][i % 3]} today`;
    return `${i + 1},Person ${i},${comment},${city},${day},${(i * 37) % 11},${i % 3 === 0 ? 'yes' : 'no'}`;
  });
  const order = rows.map((_, i) => (i * 77) % 120); // 77 and 120 are coprime: the file is shuffled
  return `id,name,comment,city,joined,score,label\n${order.map((i) => rows[i]).join('\n')}\n`;
}

describe('roles decided from the data', () => {
  const p = tabular(parse({ task: 'binary', target: 'label' }, people()));

  it('leaves out the identifiers (a row number, a name each) and the free text, each once with its reason', () => {
    expect(roleOf(p)).toEqual({
      id: 'identifier',
      name: 'identifier',
      comment: 'text',
      city: 'categorical',
      joined: 'date',
      score: 'numeric',
      label: 'target',
    });
    expect(p.report.excluded).toEqual([
      { column: 'id', reason: 'an identifier: a different integer in every row, 1 … 120 (a row number)' },
      { column: 'name', reason: 'an identifier: a different string in each of its 120 rows' },
      { column: 'comment', reason: 'free text: a different string in each of its 120 rows, 8.0 words per cell on average' },
    ]);
    expect(p.report.warnings).toEqual([]);
  });

  it('caps a categorical with more values than dataset.maxCategories, and reads a column of dates into cyclic inputs that also order the rows', () => {
    expect(p.columns.map((c) => c.name)).toEqual(['city', 'joined.week_sin', 'joined.week_cos', 'score']);
    expect(p.columns[0]).toMatchObject({ type: 'categorical', cap: 20 });
    expect(p.roles.find((r) => r.name === 'joined')).toMatchObject({ order: true, date: { format: 'ymd', parts: ['week_sin', 'week_cos'], first: '2024-01-01', last: '2024-04-29' } });
    expect(p.order).toMatchObject({ column: 'joined', from: 'dates', format: 'ymd' });
  });

  it('the summary lists every column with its role and reason, and the terminal says each left-out column once', () => {
    const spec = sweepSpecSchema.parse({ name: 's', dataset: { key: 'd.csv', task: 'binary', target: 'label' }, model: { family: 'dense', depth: [1], width: [2] } });
    const d = dataSummarySchema.parse(dataSummary(p, spec));
    expect(d.schema).toBe('layerbench.data.v2');
    expect(d.columns!.map((c) => [c.name, c.role])).toEqual([
      ['id', 'identifier'],
      ['name', 'identifier'],
      ['comment', 'text'],
      ['city', 'categorical'],
      ['joined', 'date'],
      ['score', 'numeric'],
      ['label', 'target'],
    ]);
    expect(d.columns!.find((c) => c.name === 'city')!.reason).toBe('25 distinct values: the 20 most frequent and "(other)"');
    expect(d.features.find((f) => f.name === 'city')).toMatchObject({ kind: 'categorical', levels: 25 });
    expect(d.features.find((f) => f.name === 'joined')).toEqual({ kind: 'date', name: 'joined', parts: ['week_sin', 'week_cos'], imputed: 0 });
    const block = dataBlock(d);
    expect(block.match(/"?name"? \(an identifier/g)).toHaveLength(1);
    expect(block).toContain(
      '  left out: id (an identifier: a different integer in every row, 1 … 120 (a row number)); name (an identifier: a different string in each of its 120 rows); comment (free text:',
    );
    expect(block).toContain('city (21 categories of 25 values), joined (dates: 2 cyclic inputs), score');
    expect(block).not.toContain('warning:');
  });

  it('an identifier in all but name — 206 distinct values in 253 rows — is left out, not one-hot encoded', () => {
    const names = Array.from({ length: 253 }, (_, i) => `model ${i < 206 ? i : i - 206}`);
    const q = tabular(parse({ task: 'regression', target: 'y' }, `car,hp,y\n${names.map((n, i) => `${n},${(i * 13) % 200},${i % 17}`).join('\n')}\n`));
    expect(q.columns.map((c) => c.name)).toEqual(['hp']);
    expect(q.report.excluded).toEqual([{ column: 'car', reason: 'an identifier: 206 distinct values in 253 rows (81 %)' }]);
  });

  it('an id-like name with many values is an identifier; with a few it stays a category; long strings with few values are categories, not text', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 40},s${i % 3},${['light rain and wind', 'heavy rain with thunder', 'clear and sunny all day'][i % 3]},${i % 2}`);
    const q = tabular(parse({ task: 'binary', target: 'y' }, `customer_id,stationId,sky,y\n${rows.join('\n')}\n`));
    expect(roleOf(q)).toMatchObject({ customer_id: 'identifier', stationId: 'categorical', sky: 'categorical' });
    expect(q.report.excluded).toEqual([{ column: 'customer_id', reason: 'an identifier: an id-like name and 40 distinct integers' }]);
  });

  it('multi-word names repeated over many rows (50 airports in 1,000) are a capped categorical, not free text', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `${['Barksdale Air Force Base', 'Dallas Fort Worth International', 'Sacramento Mather Field Airport'][(i % 50) % 3]} ${i % 50},${i % 2}`);
    const q = tabular(parse({ task: 'binary', target: 'y' }, `airport,y\n${rows.join('\n')}\n`));
    expect(q.roles[0]).toMatchObject({ role: 'categorical', cap: 20, reason: '50 distinct values: the 20 most frequent and "(other)"' });
  });

  it('the spec overrides: dataset.categorical keeps a column, dataset.maxCategories sets the cap, dataset.exclude and dataset.dates decide', () => {
    const kept = tabular(parse({ task: 'binary', target: 'label', categorical: ['name'], maxCategories: 4 }, people()));
    expect(kept.columns.find((c) => c.name === 'name')).toMatchObject({ type: 'categorical', cap: 4 });
    expect(kept.columns.find((c) => c.name === 'city')).toMatchObject({ type: 'categorical', cap: 4 });
    const noDates = tabular(parse({ task: 'binary', target: 'label', exclude: ['joined'] }, people()));
    expect(noDates.columns.map((c) => c.name)).toEqual(['city', 'score']);
    expect(noDates.order?.column).toBe('joined'); // left out as an input, still the order
    const listed = tabular(parse({ task: 'binary', target: 'label', dates: ['joined'] }, people()));
    expect(listed.roles.find((r) => r.name === 'joined')!.reason).toBe('dates 2024-01-01 … 2024-04-29 (dataset.dates): the cycles of the week as sin/cos inputs');
  });

  it('a column dataset.features lists is never dropped: a row number is used as a number, with a warning', () => {
    const q = tabular(parse({ task: 'binary', target: 'label', features: ['id', 'score'] }, people()));
    expect(q.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'numeric'],
      ['score', 'numeric'],
    ]);
    expect(q.report.warnings).toEqual(['Column "id" looks like an identifier (a different integer in every row, 1 … 120 (a row number)), but dataset.features lists it: used as a number.']);
  });

  it('a listed column of dates with no cycle to encode (yearly) is not dropped in silence', () => {
    const years = Array.from({ length: 30 }, (_, i) => `${1990 + i}-01-01,${i % 4},${i % 2}`);
    const q = tabular(parse({ task: 'binary', target: 'y', features: ['year', 'x'] }, `year,x,y\n${years.join('\n')}\n`));
    expect(q.columns.map((c) => c.name)).toEqual(['x']);
    expect(q.report.warnings).toEqual([
      'Column "year" is listed in dataset.features, but its dates show no cycle to encode (1990-01-01 … 2019-01-01), so it gives no input; dataset.categorical encodes its values instead.',
    ]);
    expect(q.order?.column).toBe('year');
  });

  it('no usable column says what was left out and how to use one anyway', () => {
    expect(() => parse({ task: 'binary', target: 'y' }, `name,y\n${Array.from({ length: 30 }, (_, i) => `n${i},${i % 2}`).join('\n')}\n`)).toThrow(
      'dataset.features: d.csv has no usable column besides the target (left out: name: an identifier: a different string in each of its 30 rows; dataset.features uses a column anyway)',
    );
  });
});

describe('a capped categorical: the most frequent training values, the rest "(other)"', () => {
  // Training rows 0–9: "a" ×4, "b" ×3, "c" ×2, "d" ×1; validation rows 10–11: "d" and "z" (never seen).
  const cells = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd', 'd', 'z'];
  const p = tabular(parse({ task: 'regression', target: 'y', maxCategories: 2 }, `k,y\n${cells.map((k, i) => `${k},${i}`).join('\n')}\n`));
  const fold = materialise(p, { train: Int32Array.from({ length: 10 }, (_, i) => i), val: Int32Array.from([10, 11]) });

  it('keeps the most frequent values of the training rows, learned there', () => {
    const f = fold.preprocessing.input.kind === 'tabular' ? fold.preprocessing.input.features[0] : undefined;
    expect(f).toEqual({ kind: 'categorical', name: 'k', categories: ['a', 'b', OTHER_CATEGORY], inactive: [], other: true });
    expect(fold.preprocessing.encodedNames).toEqual(['k=a', 'k=b', 'k=(other)']);
  });

  it('encodes a rare value and a value never seen in training both as "(other)", with nothing unknown', () => {
    expect(Array.from(fold.val.x)).toEqual([0, 0, 1, 0, 0, 1]);
    const rows = readCsvRows(fold.preprocessing, readCsv(bytes('k\nc\nnever\na\n'), 'new.csv'), 'new.csv');
    const e = encode(fold.preprocessing, rows, [0, 1, 2]);
    expect(Array.from(e.x)).toEqual([0, 0, 1, 0, 0, 1, 1, 0, 0]);
    expect(e.unknown).toEqual([]);
  });

  it('a fold whose training rows show fewer values keeps the layout width, padding with inactive values', () => {
    const layout = fitPreprocessing(
      p,
      Int32Array.from({ length: 12 }, (_, i) => i),
    );
    const narrow = fitPreprocessing(p, Int32Array.from([0, 1, 2]), layout); // only "a"
    const f = narrow.input.kind === 'tabular' ? narrow.input.features[0] : undefined;
    expect(f).toMatchObject({ categories: ['a', 'b', OTHER_CATEGORY], inactive: ['b'], other: true });
    expect(narrow.inputShape).toEqual(layout.inputShape);
  });
});

describe('dates', () => {
  it('recognises a column in one format: year first, day or month first, month names, with times and zones', () => {
    expect(dateFormatOf(['2012-01-31', '2012-02-01T10:30:00'])).toBe('ymd');
    expect(dateFormatOf(['2012/01/31 10:30', '2012/02/01 00:00'])).toBe('ymd');
    expect(dateFormatOf(['31.01.2012 00:10:00', '01.02.2012 00:20:00'])).toBe('dmy');
    expect(dateFormatOf(['01/31/2012', '02/01/2012'])).toBe('mdy');
    expect(dateFormatOf(['01/02/2012', '03/04/2012'])).toBe('mdy'); // ambiguous: month first, as pandas
    expect(dateFormatOf(['01.02.2012', '03.04.2012'])).toBe('dmy'); // dots: day first
    expect(dateFormatOf(['Jan 1 2000', 'Feb 29, 2000', '3 March 2000'])).toBe('mon');
    expect(dateFormatOf(['2012-01', '2012-02'])).toBe('ym');
    expect(dateFormatOf(['2012-01-31', 'soon'])).toBeNull();
    expect(dateFormatOf(['2012-02-30'])).toBeNull(); // no such day
    expect(dateFormatOf(['1', '2'])).toBeNull(); // numbers are numbers
  });

  it('reads the wall clock as written, the same on every machine; a zone moves the instant, not the cycles', () => {
    const local = readDate('2012-01-01T10:00:00', 'ymd')!;
    const zoned = readDate('2012-01-01T10:00:00+02:00', 'ymd')!;
    expect(instant(local)).toBe(Date.UTC(2012, 0, 1, 10));
    expect(instant(zoned)).toBe(Date.UTC(2012, 0, 1, 8));
    expect(datePart(zoned, 'day_sin')).toBe(datePart(local, 'day_sin'));
  });

  it('computes the cycles: 1 January is the start of the year, a Sunday the start of the week, 06:00 a quarter day', () => {
    const newYear = readDate('2023-01-01', 'ymd')!; // a Sunday
    expect(datePart(newYear, 'year_sin')).toBeCloseTo(0, 12);
    expect(datePart(newYear, 'year_cos')).toBeCloseTo(1, 12);
    expect(datePart(newYear, 'week_sin')).toBeCloseTo(0, 12);
    expect(datePart(readDate('2023-01-01 06:00', 'ymd')!, 'day_sin')).toBeCloseTo(1, 12);
  });

  it('keeps the cycles a column shows: hourly over years all three, monthly the year, a few days of hours the day', () => {
    const hours = Array.from({ length: 24 * 800 }, (_, h) => readDate(new Date(Date.UTC(2020, 0, 1, h)).toISOString().slice(0, 19), 'ymd')!);
    expect(dateCycles(hours)).toEqual(['year_sin', 'year_cos', 'week_sin', 'week_cos', 'day_sin', 'day_cos']);
    const months = Array.from({ length: 36 }, (_, m) => readDate(`${2000 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`, 'ymd')!);
    expect(dateCycles(months)).toEqual(['year_sin', 'year_cos']);
    expect(dateCycles(hours.slice(0, 72))).toEqual(['day_sin', 'day_cos']);
    expect(dateCycles(hours.slice(0, 1))).toEqual([]);
  });

  it('a missing date is imputed part by part, with one was-missing input for the date', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i === 5 ? '' : new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)},${i % 4},${i % 2}`);
    const q = tabular(parse({ task: 'binary', target: 'y' }, `day,x,y\n${rows.join('\n')}\n`));
    expect(q.order).toBeUndefined(); // a date column with a gap does not order the rows
    const prep = fitPreprocessing(
      q,
      Int32Array.from({ length: 40 }, (_, i) => i),
    );
    expect(prep.encodedNames).toEqual(['day.week_sin', 'day.week_sin (missing)', 'day.week_cos', 'x']);
  });
});

describe('documents written before roles and time order', () => {
  it('a layerbench.data.v1 summary still reads, and the terminal tells it without an order line, its left-out column once', () => {
    const v1 = {
      schema: 'layerbench.data.v1',
      source: 'datasets/old.csv',
      format: 'csv',
      rowsRead: 20,
      rowsUsed: 20,
      missing: 'impute',
      dropped: { rows: 0, byColumn: {} },
      imputed: {},
      excluded: [{ column: 'name', reason: 'an identifier: a different string in each of its 20 rows' }],
      features: [{ kind: 'numeric', name: 'x', imputed: 0, indicator: false }],
      encodedWidth: 1,
      target: { kind: 'classes', name: 'y', counts: { no: 10, yes: 10 } },
      splits: { test: 4, testRule: 'stratified random 20 %', train: 13, validation: 3, trials: 1 },
      warnings: ['Column "name" was left out: an identifier: a different string in each of its 20 rows.'],
    };
    const d = dataSummarySchema.parse(v1);
    const block = dataBlock(d);
    expect(block).not.toContain('order:');
    expect(block.match(/name/g)).toHaveLength(1);
  });

  it('a layerbench.preprocessing.v1 document (before roles and time order) still loads and encodes as it did', () => {
    const v1 = {
      schema: 'layerbench.preprocessing.v1',
      task: 'binary',
      source: { key: 'datasets/old.csv', format: 'csv' },
      missing: 'impute',
      missingMarkers: ['', 'NA'],
      fittedOn: { samples: 4, rows: 4 },
      input: {
        kind: 'tabular',
        features: [
          { kind: 'numeric', name: 'temp', mean: 10, std: 2, impute: 11, indicator: true },
          { kind: 'categorical', name: 'sky', categories: ['rain', 'sun'], inactive: [] },
        ],
      },
      target: { kind: 'classes', name: 'y', classes: ['no', 'yes'], labels: 'string' },
      inputShape: [4],
      outputs: 1,
      encodedNames: ['temp', 'temp (missing)', 'sky=rain', 'sky=sun'],
    };
    const prep = parsePreprocessing(JSON.parse(JSON.stringify(v1)), 'old/preprocessing.json');
    expect(prep.schema).toBe('layerbench.preprocessing.v1');
    const e = encode(prep, readCsvRows(prep, readCsv(bytes('sky,temp\nsun,14\nrain,NA\nhail,8\n'), 'rows.csv'), 'rows.csv'), [0, 1, 2]);
    expect(Array.from(e.x)).toEqual([2, 0, 0, 1, 0.5, 1, 1, 0, -1, 0, 0, 0]);
    expect(e.unknown).toEqual([{ column: 'sky', category: 'hail', rows: 1 }]); // uncapped: unknown, as before
  });
});

describe('the report’s Data section', () => {
  it('counts the columns by role, names the capped ones and the order column', () => {
    const spec = sweepSpecSchema.parse({ name: 's', dataset: { key: 'd.csv', task: 'binary', target: 'label' }, model: { family: 'dense', depth: [1], width: [2] } });
    const d = dataSummary(tabular(parse({ task: 'binary', target: 'label' }, people())), spec);
    expect(dataFacts(d).find((f) => f.label === 'Columns')!.text).toBe(
      '7 columns: 2 identifiers, 1 free text ("comment"), 1 category ("city"), 1 column of dates ("joined"), 1 number ("score"), 1 target ("label"); capped to their most frequent values and "(other)": "city"; "joined" orders the rows.',
    );
  });
});
