import { describe, expect, it } from 'vitest';
import { datasetInfo } from '../src/data/info.js';
import { parseDataset } from '../src/data/parse.js';
import type { ParsedDataset } from '../src/data/dataset.js';
import { DataError } from '../src/errors.js';
import { datasetSchema, type DatasetSpec } from '../src/sweep/schema.js';

const csv = (text: string) => new TextEncoder().encode(text);
const spec = (fields: Record<string, unknown>): DatasetSpec => datasetSchema.parse({ key: 'd.csv', ...fields });

function rejection(fields: Record<string, unknown>, text: string): string {
  try {
    parseDataset(spec(fields), csv(text));
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
}

function tabular(p: ParsedDataset) {
  if (p.kind !== 'tabular') throw new Error(`expected tabular, got ${p.kind}`);
  return p;
}

const regression = { task: 'regression', target: 'y' };

describe('bad CSV files are rejected with the row and column', () => {
  it('an empty file', () => {
    expect(rejection(regression, '')).toBe('d.csv: the file is empty');
    expect(rejection(regression, '\n \n')).toBe('d.csv: the file is empty');
  });

  it('a header without rows', () => {
    expect(rejection(regression, 'x,y\n')).toBe('d.csv: the file has a header but no data rows');
  });

  it('a ragged row, numbered with the header as row 1', () => {
    expect(rejection(regression, 'a,b,x,y\n1,2,3,4\n5,6,7\n')).toBe('d.csv: row 3: has 3 cells, the header has 4');
  });

  it('a non-numeric cell in a numeric target', () => {
    expect(rejection(regression, 'x,y\n1,2\n2,3\n3,abc\n')).toBe('d.csv: row 4, column "y": "abc" is not a number (a regression target must be numeric)');
  });

  it('an unknown target, feature or time column', () => {
    expect(rejection({ task: 'binary', target: 'foo' }, 'a,b,c\n1,2,3\n')).toBe('dataset.target: column "foo" is not in the header (columns: a, b, c)');
    expect(rejection({ task: 'binary', target: 'a', features: ['b', 'z'] }, 'a,b,c\n1,2,3\n')).toBe('dataset.features: column "z" is not in the header (columns: a, b, c)');
    expect(rejection({ task: 'forecast', target: 'a', time: 't', lookback: 2 }, 'a,b,c\n1,2,3\n')).toBe('dataset.time: column "t" is not in the header (columns: a, b, c)');
  });

  it('a missing value under missing "error", and under the old dropMissing: false', () => {
    const message = 'd.csv: row 3, column "x": missing value ("NA") and dataset.missing is "error"';
    expect(rejection({ ...regression, missing: 'error' }, 'x,y\n1,2\nNA,3\n')).toBe(message);
    expect(rejection({ ...regression, dropMissing: false }, 'x,y\n1,2\nNA,3\n')).toBe(message);
  });

  it('a regression or forecast target too large or too small for its squared errors, with the scale to divide by', () => {
    expect(rejection(regression, 'x,y\n1,2e200\n2,-3.5e201\n')).toBe(
      'dataset.target: column "y" reaches 3.5e+201, too large for its squared errors in double precision; divide the column by 1e201 (and say so in dataset.unit)',
    );
    expect(rejection(regression, 'x,y\n1,2e-170\n2,3e-170\n')).toBe(
      'dataset.target: column "y" reaches 3.0e-170, too small for its squared errors in double precision; divide the column by 1e-170 (and say so in dataset.unit)',
    );
    const series = `t,v\n${Array.from({ length: 8 }, (_, i) => `${i},${i + 1}e160`).join('\n')}\n`;
    expect(rejection({ task: 'forecast', target: 'v', time: 't', lookback: 2 }, series)).toMatch(/^dataset\.target: column "v" reaches 8\.0e\+160, too large/);
  });

  it('a binary target with three values', () => {
    expect(rejection({ task: 'binary', target: 'w' }, 'x,w\n1,sun\n2,rain\n3,fog\n')).toBe('dataset.target: column "w" has 3 distinct values (fog, rain, sun); binary needs exactly two');
  });
});

describe('parsing tabular CSV', () => {
  it('missing "drop" drops rows with a missing value in a used column and counts them per column', () => {
    const text = 'x,y,unused\n1,10,a\n,20,b\nNA,30,c\n4,nan,d\n5,NULL,e\n6,60,\n7,70,NaN\n';
    const p = tabular(parseDataset(spec({ ...regression, features: ['x'], missing: 'drop' }), csv(text)));
    expect(p.rows).toBe(3);
    expect(p.droppedRows).toBe(4);
    expect(Array.from(p.y)).toEqual([10, 60, 70]);
    expect(p.columns[0]!.type === 'numeric' && Array.from(p.columns[0]!.values)).toEqual([1, 6, 7]);
    expect(p.report.dropped).toEqual({ rows: 4, byColumn: { x: 2, y: 2 } });
    expect(p.report.warnings).toEqual(['4 of 7 rows (57.1 %) were dropped for missing cells (x: 2, y: 2).']);
  });

  it('missing "impute" (the default) keeps rows with missing features and drops only rows without a target', () => {
    const text = 'x,w,y\n1,sun,10\n,rain,20\n?,.,30\n4,sun,nan\n5,N/A,50\n';
    const p = tabular(parseDataset(spec(regression), csv(text)));
    expect(p.missing).toBe('impute');
    expect(Array.from(p.y)).toEqual([10, 20, 30, 50]);
    expect(p.columns[0]!.type === 'numeric' && Array.from(p.columns[0]!.values)).toEqual([1, NaN, NaN, 5]);
    // "." and "N/A" are missing markers, not categories.
    expect(p.columns[1]).toMatchObject({ type: 'categorical', categories: ['rain', 'sun'], codes: Int32Array.from([1, 0, -1, -1]) });
    expect(p.report).toMatchObject({ rowsRead: 5, dropped: { rows: 1, byColumn: { y: 1 } }, missingCells: { x: 2, w: 2 } });
  });

  it('one-hot encodes string features and names the encoded columns', () => {
    const p = parseDataset(spec({ task: 'regression', target: 'y' }), csv('temp,weather,y\n1,sun,1\n2,rain,2\n3,sun,3\n'));
    expect(datasetInfo(p)).toMatchObject({ inputShape: [3], targetDim: 1, featureNames: ['temp', 'weather=rain', 'weather=sun'] });
  });

  it('encodes binary targets: 0/1, true/false, and two sorted strings', () => {
    const y = (text: string) => {
      const p = tabular(parseDataset(spec({ task: 'binary', target: 't' }), csv(text)));
      return { y: Array.from(p.y), classes: p.classes };
    };
    expect(y('x,t\n1,1\n2,0\n3,1.0\n')).toEqual({ y: [1, 0, 1], classes: ['0', '1'] });
    expect(y('x,t\n1,TRUE\n2,false\n3,True\n')).toEqual({ y: [1, 0, 1], classes: ['false', 'true'] });
    expect(y('x,t\n1,yes\n2,no\n3,yes\n')).toEqual({ y: [1, 0, 1], classes: ['no', 'yes'] });
  });

  it('sorts multiclass labels numerically where they hold numbers', () => {
    const classes = (values: string[]) => tabular(parseDataset(spec({ task: 'multiclass', target: 't' }), csv(`x,t\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`))).classes;
    expect(classes(['10', '9', '2', '9'])).toEqual(['2', '9', '10']);
    expect(classes(['class10', 'class9', 'class2'])).toEqual(['class2', 'class9', 'class10']);
  });

  it('handles quotes, a BOM, CRLF and padded cells', () => {
    const p = tabular(parseDataset(spec({ task: 'regression', target: 'y' }), csv('\ufeff"x","y"\r\n" 1 ","2"\r\n3 , 4\r\n')));
    expect(Array.from(p.y)).toEqual([2, 4]);
  });
});

describe('spreadsheet dialects are read as they are meant', () => {
  const values = (p: ParsedDataset, name: string) => {
    const col = tabular(p).columns.find((c) => c.name === name);
    if (col?.type !== 'numeric') throw new Error(`expected numeric column ${name}`);
    return Array.from(col.values);
  };

  it('a semicolon-separated file with decimal commas: numbers, and a note naming the column', () => {
    // Arrange: what Excel writes in a locale with a decimal comma
    const text = 'x;y;t\n0,25;1.234,5;a\n-1,5;2;b\n3;0,125;a\n';

    // Act
    const p = tabular(parseDataset(spec({ task: 'binary', target: 't' }), csv(text)));

    // Assert
    expect(values(p, 'x')).toEqual([0.25, -1.5, 3]);
    expect(values(p, 'y')).toEqual([1234.5, 2, 0.125]);
    expect(p.report.warnings).toEqual(['Column "x": 2 numbers written with a decimal comma ("0,25" read as 0.25).', 'Column "y": 2 numbers written with a decimal comma ("1.234,5" read as 1234.5).']);
  });

  it('thousands separators in a comma-separated file are numbers; a column with any other cell is left as it is', () => {
    // Arrange: a quoted "12,345.67" beside plain numbers, and a column of comma-separated lists
    const text = 'x,tags,t\n"12,345.67",a,p\n999.5,"a,b",q\n"-1,000",a,p\n3,"a,b",q\n';

    // Act
    const p = tabular(parseDataset(spec({ task: 'binary', target: 't' }), csv(text)));

    // Assert
    expect(values(p, 'x')).toEqual([12345.67, 999.5, -1000, 3]);
    expect(p.columns.find((c) => c.name === 'tags')).toMatchObject({ type: 'categorical', categories: ['a', 'a,b'] });
    expect(p.report.warnings).toEqual(['Column "x": 2 numbers written with thousands separators ("12,345.67" read as 12345.67).']);
  });

  it('a comma before three digits is a thousands separator in a comma-separated file, a decimal comma in a semicolon-separated one', () => {
    // Arrange
    const rows = ['x', '"1,500"', '"2,250"', '7'];

    // Act
    const comma = tabular(parseDataset(spec(regression), csv(`${rows.map((r, i) => `${r},${i === 0 ? 'y' : i}`).join('\n')}\n`)));
    const semicolon = tabular(parseDataset(spec(regression), csv(`${rows.map((r, i) => `${r.replaceAll('"', '')};${i === 0 ? 'y' : i}`).join('\n')}\n`)));

    // Assert
    expect(values(comma, 'x')).toEqual([1500, 2250, 7]);
    expect(values(semicolon, 'x')).toEqual([1.5, 2.25, 7]);
  });

  it('a file that is not UTF-8 is read as Windows-1252, with a note', () => {
    // Arrange: "Zürich" and "Genève" as Excel on Windows saves them
    const latin1 = Uint8Array.from('x,city,y\n1,Z\xfcrich,2\n2,Gen\xe8ve,3\n3,Z\xfcrich,4\n', (ch) => ch.charCodeAt(0));

    // Act
    const p = tabular(parseDataset(spec(regression), latin1));

    // Assert
    expect(p.columns.find((c) => c.name === 'city')).toMatchObject({ type: 'categorical', categories: ['Genève', 'Zürich'] });
    expect(p.report.warnings).toEqual(['The file is not UTF-8: it was read as Windows-1252 (Latin-1); save it as UTF-8 if its accents look wrong.']);
  });

  it('numbers with a currency sign or a percent sign are numbers, with thousands separators too; mixed units are not', () => {
    // Arrange
    const text = 'rate,price,mixed,y\n12.5%,"$1,234.50",$1,1\n-3 %,$7,€2,2\n0,-$0.5,$3,3\n';

    // Act
    const p = tabular(parseDataset(spec(regression), csv(text)));

    // Assert
    expect(values(p, 'rate')).toEqual([12.5, -3, 0]);
    expect(values(p, 'price')).toEqual([1234.5, 7, -0.5]);
    expect(p.columns.find((c) => c.name === 'mixed')?.type).not.toBe('numeric');
    expect(p.report.warnings).toEqual([
      'Column "rate": 2 numbers written with "%" ("12.5%" read as 12.5).',
      'Column "price": 3 numbers written with "$" and thousands separators ("$1,234.50" read as 1234.50).',
    ]);
  });

  it('a feature of true/false in any case has two categories, not one per spelling', () => {
    // Arrange: TRUE as Excel writes it, True as Python does
    const text = 'flag,y\nTRUE,1\ntrue,2\nFalse,3\nfalse,4\nNA,5\n';

    // Act
    const p = tabular(parseDataset(spec(regression), csv(text)));

    // Assert
    expect(p.columns[0]).toMatchObject({ name: 'flag', type: 'categorical', categories: ['false', 'true'] });
    expect(Array.from((p.columns[0] as { codes: Int32Array }).codes)).toEqual([1, 1, 0, 0, -1]);
  });

  it('a tab-separated file', () => {
    // Act
    const p = tabular(parseDataset(spec(regression), csv('x\ty\n1\t2\n3\t4\n')));

    // Assert
    expect(values(p, 'x')).toEqual([1, 3]);
    expect(Array.from(p.y)).toEqual([2, 4]);
  });

  it('names a header cell left empty as pandas does; a trailing delimiter makes an empty column that is left out', () => {
    // Arrange: the index column DataFrame.to_csv writes, and a delimiter at the end of every line
    const text = `,x,y,\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i % 5},`).join('\n')}\n`;

    // Act
    const p = tabular(parseDataset(spec(regression), csv(text)));

    // Assert
    expect(p.columns.map((c) => c.name)).toEqual(['x']);
    expect(p.report.excluded).toEqual([
      { column: 'Unnamed: 0', reason: 'an identifier: a different integer in every row, 0 … 29 (a row number)' },
      { column: 'Unnamed: 3', reason: 'every cell is missing' },
    ]);
  });

  it('a lone dash among numbers is a missing cell, imputed; "+" and "-" as classes stay classes', () => {
    // Arrange: dashes in a numeric column, and a target of "+"/"-" as in UCI's credit-approval data
    const text = 'x,t\n1,+\n-,-\n--,+\n-4,-\n';

    // Act
    const p = tabular(parseDataset(spec({ task: 'binary', target: 't' }), csv(text)));

    // Assert
    expect(values(p, 'x')).toEqual([1, Number.NaN, Number.NaN, -4]);
    expect(p.report.missingCells).toEqual({ x: 2 });
    expect(p.classes).toEqual(['-', '+']);
    expect(p.report.warnings).toEqual(['Column "x": 2 cells of "-" read as missing.']);
  });
});

describe('parsing forecast CSV', () => {
  const forecast = { task: 'forecast', target: 'sales', time: 'date', lookback: 2, horizon: 1 };
  const text = ['date,sales,promo,region', '2024-01-03,30,1,n', '2024-01-01,10,0,n', '2024-01-05,50,0,s', '2024-01-02,20,1,s', '2024-01-04,40,1,n'].join('\n');

  it('sorts by time and makes windows over numeric features, the target among them', () => {
    const p = parseDataset(spec(forecast), csv(text));
    if (p.kind !== 'series') throw new Error(p.kind);
    expect(p.featureNames).toEqual(['sales', 'promo']);
    expect(Array.from(p.values)).toEqual([10, 0, 20, 1, 30, 1, 40, 1, 50, 0]);
    expect(p.windows).toBe(3);
    expect(datasetInfo(p)).toMatchObject({ task: 'forecast', inputShape: [2, 2], targetDim: 1, rows: 5 });
  });

  it('adds the targets to listed features and supports several targets and numeric time', () => {
    const p = parseDataset(spec({ ...forecast, target: ['sales', 'promo'], features: ['promo'], time: 'step' }), csv('step,sales,promo\n2,5,1\n1,4,0\n3,6,1\n4,7,0\n'));
    if (p.kind !== 'series') throw new Error(p.kind);
    expect(p.featureNames).toEqual(['promo', 'sales']);
    expect(p.targets).toEqual([1, 0]);
    expect(datasetInfo(p).targetDim).toBe(2);
  });

  it('warns about a repeated time, naming its first row', () => {
    // Arrange: 2024-01-02 twice (rows 3 and 4)
    const repeated = ['date,sales', '2024-01-01,10', '2024-01-02,20', '2024-01-02,21', '2024-01-03,30', '2024-01-04,40', '2024-01-05,50'].join('\n');

    // Act
    const p = parseDataset(spec(forecast), csv(repeated));

    // Assert
    expect(p.report.warnings).toEqual(['Column "date": 1 row repeats an earlier time (first row 4, "2024-01-02"); windows take each row as one step.']);
  });

  it('rejects a bad date, a non-numeric target and too few rows for the lookback', () => {
    expect(rejection(forecast, 'date,sales\n2024-01-01,1\nyesterday,2\n2024-01-03,3\n2024-01-04,4\n')).toBe('d.csv: row 3, column "date": "yesterday" is not a date or a number');
    expect(rejection(forecast, 'date,sales\n2024-01-01,1\n2024-01-02,x\n2024-01-03,3\n2024-01-04,4\n')).toBe('d.csv: row 3, column "sales": "x" is not a number (a forecast target must be numeric)');
    expect(rejection({ ...forecast, lookback: 3 }, 'date,sales\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n')).toBe(
      'd.csv: 3 rows make 0 windows of dataset.lookback 3 + dataset.horizon 1; at least 2 are needed',
    );
  });
});

describe('columns are told apart at plan time', () => {
  /** 20 rows: a numeric x, a name unique per row, a category, a binary target. */
  const rows = (cell: (i: number) => string = (i) => String(3 * i)) => Array.from({ length: 20 }, (_, i) => `${cell(i)},car ${i},${i % 3 ? 'a' : 'b'},${i % 2}`).join('\n');
  const table = (cell?: (i: number) => string) => `x,name,kind,y\n${rows(cell)}\n`;
  const binary = { task: 'binary', target: 'y' };

  it('leaves out a string column unique per row (an identifier), saying so once: in the columns left out', () => {
    const p = tabular(parseDataset(spec(binary), csv(table())));
    expect(p.columns.map((c) => c.name)).toEqual(['x', 'kind']);
    expect(p.report.excluded).toEqual([{ column: 'name', reason: 'an identifier: a different string in each of its 20 rows' }]);
    expect(p.report.warnings).toEqual([]);
  });

  it('never drops a column dataset.features lists: an identifier is encoded with a warning, and as listed in dataset.categorical', () => {
    const listed = tabular(parseDataset(spec({ ...binary, features: ['x', 'name'] }), csv(table())));
    expect(listed.columns.map((c) => [c.name, c.type])).toEqual([
      ['x', 'numeric'],
      ['name', 'categorical'],
    ]);
    expect(listed.report.warnings).toEqual(['Column "name" looks like an identifier (a different string in each of its 20 rows), but dataset.features lists it: one-hot encoded.']);
    const p = tabular(parseDataset(spec({ ...binary, features: ['x', 'name'], categorical: ['name'] }), csv(table())));
    expect(p.columns[1]).toMatchObject({ name: 'name', type: 'categorical' });
    expect(p.report.warnings).toEqual([]);
  });

  it('leaves out the columns dataset.exclude names, and checks they exist', () => {
    const p = tabular(parseDataset(spec({ ...binary, exclude: ['kind'] }), csv(table())));
    expect(p.columns.map((c) => c.name)).toEqual(['x']);
    expect(p.report.excluded).toContainEqual({ column: 'kind', reason: 'listed in dataset.exclude' });
    expect(rejection({ ...binary, exclude: ['colour'] }, table())).toBe('dataset.exclude: column "colour" is not in the header (columns: x, name, kind, y)');
    expect(rejection({ ...binary, exclude: ['y'] }, table())).toBe('dataset.exclude: column "y" is the target');
  });

  it('a numeric column with a few non-numbers is an error naming the first row and column', () => {
    expect(
      rejection(
        binary,
        table((i) => (i === 15 ? 'abc' : String(i))),
      ),
    ).toBe('d.csv: row 17, column "x": "abc" is not a number (1 of the column\'s 20 cells are not numbers; list it in dataset.categorical if it holds categories)');
    expect(
      rejection(
        binary,
        table((i) => (i === 3 ? 'Infinity' : String(i))),
      ),
    ).toBe('d.csv: row 5, column "x": "Infinity" is not a finite number; leave the cell empty if its value is unknown');
  });

  it('dataset.categorical one-hot encodes such a column; a mostly non-numeric column is categorical anyway', () => {
    const p = tabular(parseDataset(spec({ ...binary, categorical: ['x'] }), csv(table((i) => (i === 15 ? 'abc' : String(i % 4))))));
    expect(p.columns[0]).toMatchObject({ name: 'x', type: 'categorical', categories: ['0', '1', '2', '3', 'abc'] });
    const mostly = tabular(parseDataset(spec(binary), csv(table((i) => (i < 3 ? String(i) : ['lo', 'hi'][i % 2]!)))));
    expect(mostly.columns[0]).toMatchObject({ name: 'x', type: 'categorical', categories: ['0', '1', '2', 'hi', 'lo'] });
  });

  it('leaves out a column whose every cell is missing, with a warning', () => {
    const p = tabular(parseDataset(spec(binary), csv(table((i) => (i % 2 ? 'NA' : '')))));
    expect(p.columns.map((c) => c.name)).toEqual(['kind']);
    expect(p.report.excluded).toContainEqual({ column: 'x', reason: 'every cell is missing' });
  });

  it('refuses exclude, categorical or features on array data, and categorical on a forecast', async () => {
    const { parseSweep } = await import('../src/sweep/load.js');
    const base = { name: 's', model: { family: 'dense', depth: [1], width: [2] } };
    expect(() => parseSweep({ ...base, dataset: { key: 'a.npz', format: 'npz', task: 'binary', exclude: ['x'] } })).toThrow('sweep: dataset.exclude: is only for CSV data');
    expect(() =>
      parseSweep({ ...base, model: { family: 'lstm', depth: [1], width: [2] }, dataset: { key: 'a.csv', task: 'forecast', target: 'v', time: 't', lookback: 2, categorical: ['w'] } }),
    ).toThrow('sweep: dataset.categorical: is not for forecast tasks (forecast inputs are numeric)');
    expect(() => parseSweep({ ...base, dataset: { key: 'a.csv', task: 'binary', target: 'y', dropMissing: true, missing: 'drop' } })).toThrow(
      'sweep: dataset.dropMissing: is replaced by dataset.missing; give only missing',
    );
  });
});
