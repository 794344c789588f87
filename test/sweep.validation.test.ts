import { describe, expect, it } from 'vitest';
import { SpecError } from '../src/errors.js';
import { formatPath, parseSweep, parseSweepText } from '../src/sweep/load.js';
import { rankingMetric, sweepJsonSchema } from '../src/sweep/schema.js';

const valid = {
  name: 'weather',
  dataset: { key: 'datasets/weather.csv', task: 'binary', target: 'rain' },
  model: { family: 'dense', depth: [1, 2], width: [8, 16] },
};

/** A copy of the valid spec with one field replaced (undefined deletes it). */
function withField(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const parts = path.split('.');
  let node = copy;
  for (const p of parts.slice(0, -1)) {
    node[p] ??= {};
    node = node[p] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function rejection(spec: unknown): string {
  try {
    parseSweep(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('spec was accepted');
}

describe('sweep spec validation', () => {
  it('accepts a minimal spec and fills defaults', () => {
    const spec = parseSweep(valid);
    expect(spec.training).toMatchObject({ epochs: 100, batchSize: 32, optimizer: 'adam', seed: 42 });
    expect(spec.evaluation.strategy).toBe('holdout');
    expect(spec.evaluation.repeats).toBe(3);
    expect(spec.search).toMatchObject({ strategy: 'grid', maxCandidates: 100 });
    expect(spec.model.widthPattern).toBe('constant');
    expect(rankingMetric(spec)).toBe('accuracy');
  });

  const cases: [string, unknown, string][] = [
    ['a depth below 1', withField('model.depth', [1, 0]), 'sweep: model.depth[1]: must be ≥ 1'],
    ['a fractional width', withField('model.width', [8, 2.5]), 'sweep: model.width[1]: must be an integer'],
    ['an empty depth list', withField('model.depth', []), 'sweep: model.depth: must have at least 1 item'],
    ['a repeated width', withField('model.width', [8, 8]), 'sweep: model.width: must not repeat a value'],
    ['an unknown family', withField('model.family', 'rnn'), 'sweep: model.family: must be one of "dense", "cnn", "lstm"'],
    ['an unknown field', { ...valid, epochs: 3 }, 'sweep: (spec): unknown field "epochs"'],
    ['a missing dataset key', withField('dataset.key', undefined), 'sweep: dataset.key: is required'],
    ['an empty unit', withField('dataset.unit', ''), 'sweep: dataset.unit: must not be empty'],
    ['an unknown task', withField('dataset.task', 'ranking'), 'sweep: dataset.task: must be one of'],
    ['a CSV without target', withField('dataset.target', undefined), 'sweep: dataset.target: is required for CSV data'],
    ['a negative learning rate', withField('training.learningRate', -0.1), 'sweep: training.learningRate: must be > 0'],
    ['zero epochs', withField('training.epochs', 0), 'sweep: training.epochs: must be ≥ 1'],
    ['dropout of 1', withField('model.dropout', 1), 'sweep: model.dropout: must be < 1'],
    ['a validation split of 1', withField('evaluation.validationSplit', 1), 'sweep: evaluation.validationSplit: must be < 1'],
    ['one fold', withField('evaluation.folds', 1), 'sweep: evaluation.folds: must be ≥ 2'],
    ['rmse on a classification task', withField('evaluation.metric', 'rmse'), 'sweep: evaluation.metric: rmse does not apply to a binary task'],
    ['random search without count', withField('search.strategy', 'random'), 'sweep: search.count: is required for random search'],
    ['a grid above the cap', withField('search.maxCandidates', 3), 'sweep: search.maxCandidates: the sweep expands to 4 candidates, more than the cap of 3'],
    [
      'a forecast without lookback',
      { ...withField('dataset.task', 'forecast'), dataset: { key: 'datasets/c.csv', task: 'forecast', target: 'co2', time: 'date' } },
      'sweep: dataset.lookback: is required for forecast',
    ],
    ['lstm on a binary task', withField('model.family', 'lstm'), 'sweep: model.family: lstm needs a forecast task'],
    ['cnn on CSV data', withField('model.family', 'cnn'), 'sweep: dataset.format: cnn needs image arrays (npy or npz)'],
    ['an upper-case name', withField('name', 'Weather Sweep'), 'sweep: name: must be 1–64 lower-case letters'],
    ['an unknown optimizer', withField('training.optimizer', 'lbfgs'), 'sweep: training.optimizer: must be one of'],
    ['a string depth', withField('model.depth', ['2']), 'sweep: model.depth[0]: must be a number'],
    ['one depth, not a list of them', withField('model.depth', 2), 'sweep: model.depth: must be an array'],
    ['a model that is null', withField('model', null), 'sweep: model: must be an object'],
    ['an unknown early-stopping field', withField('training.earlyStopping', { patience: 3, wait: 1 }), 'sweep: training.earlyStopping: unknown field "wait"'],
    [
      'a cnn kernel of 0',
      { ...valid, dataset: { key: 'datasets/m.npz', format: 'npz', task: 'multiclass', target: 'y' }, model: { family: 'cnn', depth: [1], width: [8], cnn: { kernelSize: 0 } } },
      'sweep: model.cnn.kernelSize: must be ≥ 1',
    ],
  ];

  it.each(cases)('rejects %s, naming the path', (_label, spec, message) => {
    expect(rejection(spec)).toContain(message);
  });

  it('has at least 15 distinct rejected specs', () => {
    expect(new Set(cases.map(([, , m]) => m)).size).toBeGreaterThanOrEqual(15);
  });

  it('rejects text that is not JSON with one line', () => {
    expect(() => parseSweepText('{"name": ', 'examples/x.json')).toThrow(/^examples\/x\.json: not valid JSON/);
  });

  it('formats paths like model.depth[2]', () => {
    expect(formatPath(['model', 'depth', 2])).toBe('model.depth[2]');
    expect(formatPath(['a', 0, 'b'])).toBe('a[0].b');
  });

  it('publishes a JSON Schema that names every top-level section', () => {
    const schema = sweepJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'dataset', 'model', 'training', 'evaluation', 'search']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'dataset', 'model']));
  });
});

describe('published JSON Schema', () => {
  it('schema/sweep.schema.json is what `layerbench schema` prints (regenerate it when the spec changes)', async () => {
    const { readFile } = await import('node:fs/promises');
    const published = JSON.parse(await readFile(new URL('../schema/sweep.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(sweepJsonSchema());
  });
});
