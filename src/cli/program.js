// @ts-check
/**
 * The `layerbench` command table: every command's name, arguments, options and help, and how the CLI
 * turns errors into one line and an exit code. Each command's code lives in src/cli/commands/<name>.ts
 * and is imported only when that command runs, so `--help`, `--version` and a usage error load
 * nothing but commander: no tfjs, no AWS SDK, no CDK, no vega.
 *
 * Plain JavaScript (type-checked through JSDoc) so that bin/layerbench.js can load it without a
 * TypeScript loader, which alone takes longer to start than the whole help. bin/layerbench.js passes
 * `loadCommand`, which loads a command's module from its cached bundle (or registers tsx and imports
 * the source); under tsx or vitest the source is imported as it is.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';

/** Exit codes: documented in `--help` and the README. */
export const EXIT = /** @type {const} */ ({ ok: 0, failed: 1, badInput: 2, interrupted: 130, terminated: 143 });

const EXIT_CODES_HELP = `
Exit codes:
  0    done (a run exits 0 when at least one candidate was ranked; failures are listed)
  1    every candidate failed, a trained candidate failed (train), or an internal error
  2    bad input: the sweep, the data, an option or the store, named in one line; nothing was written
  130  interrupted (Ctrl-C), 143 terminated (SIGTERM): workers stopped; resume with --run-id

Output: results on stdout (--json: one JSON document), progress and errors on stderr (--quiet: errors only).`;

const BACKENDS = ['tensorflow', 'wasm', 'cpu'];

/** @param {string} value */
function positiveInteger(value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1');
  return n;
}

/** @param {string} value */
function seconds(value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1 || n > 3600) throw new InvalidArgumentError('must be a number of seconds from 1 to 3600');
  return n;
}

/** A week: longer than any candidate should train, and far below what a timer can count (2³² ms). */
const MAX_TRAIN_TIMEOUT = 7 * 24 * 3600;

/** @param {string} value */
function trainTimeout(value) {
  const n = positiveInteger(value);
  if (n > MAX_TRAIN_TIMEOUT) throw new InvalidArgumentError(`must be at most ${MAX_TRAIN_TIMEOUT} seconds (a week)`);
  return n;
}

const SIZE_UNITS = /** @type {Record<string, number>} */ ({
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
});

/** A memory size: bytes, or a number with a unit (512MiB, 2GB, 1.5GiB). @param {string} value */
export function byteSize(value) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError('must be a size such as 2GiB, 512MB or a number of bytes');
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 2 ** 20) throw new InvalidArgumentError('must be at least 1 MiB');
  return bytes;
}

function version() {
  return /** @type {{ version: string }} */ (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))).version;
}

const storeOption = () => new Option('--store <uri>', 'a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)');
const workersOption = () =>
  new Option('--workers <n>', `training worker processes (default: one per core, ${Math.max(1, availableParallelism())} here; more than the cores only when asked, with a warning)`).argParser(
    positiveInteger,
  );
const backendOption = () => new Option('--backend <name>', 'TensorFlow.js backend (default: the best available)').choices(BACKENDS);
const jsonOption = (/** @type {string} */ what) => new Option('--json', `print ${what} as one JSON document on stdout`);

/**
 * Each command's module, imported when it runs. `.ts` specifiers: tsx and vitest load them as they are.
 * @type {Record<string, () => Promise<any>>}
 */
const COMMANDS = {
  plan: () => import('./commands/plan.ts'),
  train: () => import('./commands/train.ts'),
  run: () => import('./commands/run.ts'),
  schema: () => import('./commands/schema.ts'),
  submit: () => import('./commands/submit.ts'),
  status: () => import('./commands/status.ts'),
  results: () => import('./commands/results.ts'),
  predict: () => import('./commands/predict.ts'),
  export: () => import('./commands/export.ts'),
};

/**
 * How a command's module is loaded, when not from source as it is (COMMANDS): by its name (plan, run, …),
 * with `fromSource` to import the TypeScript source.
 * @typedef {(name: string, fromSource: () => Promise<any>) => Promise<any>} LoadCommand
 * @typedef {{ loadCommand?: LoadCommand }} MainOptions
 */

/**
 * @param {MainOptions} options
 * @param {{ exitCode: number }} [result] receives the exit code a command returns (train: 1 when the candidate failed)
 */
export function buildProgram(options = {}, result = { exitCode: 0 }) {
  /**
   * The action of a command: load its module, then call its function with the positional arguments
   * and the options (the program's --quiet included).
   * @param {string} module
   * @param {string} fn
   */
  const lazy =
    (module, fn) =>
    /** @param {any[]} args */
    async (...args) => {
      const command = /** @type {Command} */ (args[args.length - 1]);
      const positional = args.slice(0, -2);
      const fromSource = COMMANDS[module];
      const mod = await (options.loadCommand ? options.loadCommand(module, fromSource) : fromSource());
      const code = await mod[fn](...positional, command.optsWithGlobals());
      if (typeof code === 'number') result.exitCode = code;
    };

  const program = new Command()
    .name('layerbench')
    .description('How many layers, and how many units per layer? Answered by experiment.')
    .version(version(), '-V, --version', 'print the version')
    .option('-q, --quiet', 'print no progress on stderr, only results (stdout) and errors')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  oneLineErrors(program);

  const add = (/** @type {string} */ name) => {
    const cmd = program.command(name);
    oneLineErrors(cmd);
    return cmd;
  };

  add('plan')
    .description('list the candidates (depth × width) a sweep expands into, with their ids and estimated memory')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .addOption(new Option('--store <uri>', 'where the dataset is: a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)'))
    .addOption(jsonOption('the candidates'))
    .action(lazy('plan', 'planCommand'));

  add('train')
    .description('train one candidate of a sweep and write its result document')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .requiredOption('--candidate <id>', 'the candidate id (`layerbench plan` lists them)')
    .addOption(storeOption())
    .addOption(backendOption())
    .option('--run-id <id>', 'the run to write into (default: <sweep>-manual)')
    .addOption(jsonOption('the candidate document'))
    .action(lazy('train', 'trainCommand'));

  add('run')
    .description('run a sweep locally through the workflow: plan, train every candidate, rank them')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .addOption(storeOption())
    .addOption(workersOption())
    .addOption(backendOption())
    .option('--run-id <id>', 'the run id; naming an existing run resumes it (retraining crashed and transient failures)')
    .option('--retry-failed', 'with --run-id: train every failed candidate again, whatever the failure')
    .addOption(new Option('--max-memory <size>', "what one candidate may use on a worker, e.g. 2GiB (default: 4 GiB, the wasm backend's heap)").argParser(byteSize))
    .addOption(new Option('--train-timeout <seconds>', "how long one candidate may train before it counts as failed (default 900, Lambda's limit)").argParser(trainTimeout))
    .option('--prices <json>', 'override prices of the cost estimate, e.g. \'{"region":"eu-west-1","lambdaGbSecondArm64":0.0000134}\' (default: us-east-1 list prices, src/cost/prices.ts)')
    .addOption(jsonOption('the leaderboard and the recommendation'))
    .action(lazy('run', 'runAction'));

  add('quickstart')
    .description('prepare the bundled example data and run the seattle-weather sweep (dense, depth 1–3 × width 8–64)')
    .addOption(storeOption())
    .addOption(workersOption())
    .addOption(jsonOption('the leaderboard and the recommendation'))
    .action(lazy('run', 'quickstartAction'));

  add('predict')
    .description("predict with a run's final model (or one candidate's) from a CSV, NPY or NPZ file, in the original units")
    .argument('<runId>', 'the run whose model predicts')
    .argument('<file>', 'a .csv with the training columns (any order, target optional), or .npy/.npz arrays')
    .addOption(storeOption())
    .option('--candidate <id>', "predict with this candidate's saved model (one trial's) instead of the final model")
    .option('--out <file>', 'write the predictions (CSV) here instead of stdout')
    .addOption(new Option('--unknown-categories <policy>', 'a category never seen in training: error, or zero (encode it as all zeros, with a warning)').choices(['error', 'zero']).default('error'))
    .addOption(backendOption())
    .addOption(jsonOption('the predictions (without --out) and their summary'))
    .action(lazy('predict', 'predictCommand'));

  add('export')
    .description("write a run's recommended architecture (or --candidate's) as a Keras 3 script that trains it the same way")
    .addArgument(new Argument('<format>', 'the format').choices(['keras']))
    .argument('<runId>', 'the run')
    .addOption(storeOption())
    .option('--candidate <id>', "this ranked candidate's architecture instead of the recommended one")
    .option('--out <file>', 'write the script here (e.g. model.py) instead of stdout')
    .action(lazy('export', 'exportCommand'));

  add('schema').description('print the JSON Schema of the sweep spec').action(lazy('schema', 'schemaCommand'));

  /** @param {Command} cmd */
  const cloud = (cmd) =>
    cmd
      .option('--stack <name>', 'the deployed layerbench stack (CloudFormation stack name)', process.env.LAYERBENCH_STACK || 'layerbench')
      .option('--region <region>', 'AWS region of the stack (default: AWS_REGION or the profile)');

  cloud(
    add('submit')
      .description("upload a sweep to a deployed stack's bucket (the upload starts its run)")
      .argument('<sweep>', 'the sweep spec, a JSON file (with --start: or the name of a registered sweep)'),
  )
    .option('--start', 'start an execution of the registered sweep now, without uploading')
    .option('--run-id <id>', 'with --start: the run id (and execution name)')
    .action(lazy('submit', 'submitAction'));

  cloud(add('status').description('follow a run of a deployed stack (by run id or execution ARN) until its leaderboard is written').argument('<run>', 'a run id, or a Step Functions execution ARN'))
    .option('--no-follow', 'look once and exit')
    .addOption(new Option('--interval <seconds>', 'seconds between polls').argParser(seconds).default(10))
    .addOption(jsonOption('the execution and its runs'))
    .action(lazy('status', 'statusAction'));

  cloud(add('results').description("download a run's leaderboard and report from a deployed stack").argument('<runId>', 'the run id'))
    .option('--out <dir>', 'where to write <runId>/…', 'layerbench-results')
    .addOption(jsonOption('the leaderboard and the recommendation'))
    .action(lazy('results', 'resultsAction'));

  return program;
}

/**
 * A usage error as one line naming the problem and where the help is, never the whole usage.
 * @param {Command} cmd
 */
function oneLineErrors(cmd) {
  cmd.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => {
      const where = cmd.parent ? `layerbench ${cmd.name()} --help` : 'layerbench --help';
      const line = text
        .replace(/^error: /, '')
        .trim()
        .replace(/\s*\n\s*/g, ' ');
      // An argument quoted back (an unknown option, an invalid value) may be anything: cut to a readable length.
      write(`layerbench: ${line.length > 1000 ? `${line.slice(0, 1000)}…` : line} (see ${where})\n`);
    },
  });
}

/**
 * An error layerbench raised on purpose (src/errors.ts' LayerbenchError, recognised by shape so this
 * module needs no TypeScript).
 * @param {unknown} err
 * @returns {err is Error & { exitCode: number; code: string }}
 */
function isLayerbenchError(err) {
  return err instanceof Error && typeof (/** @type {any} */ (err).exitCode) === 'number' && typeof (/** @type {any} */ (err).code) === 'string';
}

/**
 * Run the CLI; resolves to the exit code. Errors become one line on stderr: ours as they are, a
 * usage error as commander says it, anything else as an internal error (its stack trace with
 * LAYERBENCH_DEBUG=1).
 * @param {string[]} argv
 * @param {MainOptions} [options]
 * @returns {Promise<number>}
 */
export async function main(argv, options = {}) {
  // The AWS SDK warns on every command, in six lines, that SDK versions published after January 2027
  // will need Node 22. layerbench pins its SDK version in package-lock.json, so the warning is about
  // versions it does not install; it would bury the one line a command prints. Its own switch turns it
  // off (read by @aws-sdk/core's emitWarningIfUnsupportedVersion); set it to anything else to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const result = { exitCode: EXIT.ok };
  try {
    await buildProgram(options, result).parseAsync(argv);
    return result.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (isLayerbenchError(err)) {
      process.stderr.write(`layerbench: ${err.message}\n`);
      return err.exitCode;
    }
    // Not ours, so not bounded where it was made: its first line, cut to a readable length.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    const message = first.length > 1000 ? `${first.slice(0, 1000)}…` : first;
    const debug = process.env.LAYERBENCH_DEBUG && err instanceof Error ? `\n${err.stack}` : ' (LAYERBENCH_DEBUG=1 prints the stack trace)';
    process.stderr.write(`layerbench: internal error: ${message}${debug}\n`);
    return EXIT.failed;
  }
}
