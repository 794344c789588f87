/**
 * `npx tsx benchmarks/module-load.ts [--runs 7] [module …]`: what importing a module costs a fresh
 * process — wall time of the import and the process's resident memory after it — median of several
 * fresh processes, with the load average before and after. Default modules: what `layerbench status`
 * loads (src/cloud/status.ts) and, for scale, aws-cdk-lib's workflow construct (infra/workflow.ts).
 * Prints a Markdown table; --json prints the figures as JSON.
 *
 * `--command`: the start of `layerbench run` itself (issue 20, point 2) — the whole process of
 * `node bin/layerbench.js run <sweep> --workers N` on a copy of a store prepared once, with the command
 * from its cached bundle (src/cli/load-command.js) and from source through tsx
 * (LAYERBENCH_CLI_BUNDLE=0), interleaved: wall time and the CPU time of the CLI's own process (its
 * workers not counted), medians.
 *
 *   npx tsx benchmarks/module-load.ts --command [--runs 5] [--workers 2] [--sweep examples/seattle-weather.json]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareExamples } from '../examples/prepare.js';
import { LocalStore } from '../src/store/local.js';

interface Sample {
  ms: number;
  rssMb: number;
}

function loadOnce(file: string): Sample {
  const url = pathToFileURL(resolve(file)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20 }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as Sample;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Loaded with --require into the CLI's process: at exit, writes that process's CPU seconds (all its
 * threads) to CPU_FILE. The pool's workers start with their own flags, not this one.
 */
const CPU_PRELOAD = `process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeFileSync(process.env.CPU_FILE, String((u.user + u.system) / 1e6)); });`;

const BIN = fileURLToPath(new URL('../bin/layerbench.js', import.meta.url));

interface CommandSample {
  wall: number;
  cpu: number;
}

function commandOnce(dir: string, store: string, bundled: boolean, sweep: string, workers: string): CommandSample {
  const copy = join(dir, 'run-store');
  rmSync(copy, { recursive: true, force: true });
  cpSync(store, copy, { recursive: true });
  const cpuFile = join(dir, 'cpu.txt');
  const env = { ...process.env, CPU_FILE: cpuFile, LAYERBENCH_CLI_BUNDLE: bundled ? '1' : '0' };
  const t0 = performance.now();
  execFileSync(process.execPath, ['--require', join(dir, 'cpu.cjs'), BIN, 'run', resolve(sweep), '--store', copy, '--workers', workers, '--quiet'], { env, stdio: 'ignore' });
  return { wall: (performance.now() - t0) / 1000, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

async function commandStart(runs: number, sweep: string, workers: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'layerbench-cli-start-'));
  try {
    const store = join(dir, 'store');
    await prepareExamples(new LocalStore(store));
    writeFileSync(join(dir, 'cpu.cjs'), CPU_PRELOAD);
    commandOnce(dir, store, true, sweep, workers); // builds the bundle if it is out of date, warms the file cache
    commandOnce(dir, store, false, sweep, workers); // warms tsx's transform cache
    const before = loadavg();
    const samples: Record<'bundle' | 'tsx', CommandSample[]> = { bundle: [], tsx: [] };
    for (let i = 0; i < runs; i++) {
      for (const kind of ['bundle', 'tsx'] as const) {
        const s = commandOnce(dir, store, kind === 'bundle', sweep, workers);
        samples[kind].push(s);
        process.stderr.write(`  ${kind}: ${s.wall.toFixed(2)} s wall, CLI process ${s.cpu.toFixed(2)} s CPU (load ${loadavg()[0]!.toFixed(2)})\n`);
      }
    }
    const after = loadavg();
    const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    const row = (kind: 'bundle' | 'tsx', label: string) =>
      `| ${label} | ${median(samples[kind].map((s) => s.wall)).toFixed(2)} s | ${median(samples[kind].map((s) => s.cpu)).toFixed(2)} s | ${samples[kind].map((s) => s.wall.toFixed(1)).join(', ')} |`;
    process.stdout.write(
      [
        `### \`layerbench run ${sweep} --workers ${workers}\`, whole process (${runs} interleaved pairs, medians)`,
        '',
        '| command loaded | wall | CPU of the CLI process | walls |',
        '| --- | ---: | ---: | --- |',
        row('bundle', 'from its bundle (plain Node)'),
        row('tsx', 'from source through tsx (LAYERBENCH_CLI_BUNDLE=0)'),
        '',
        `Load average before: ${fmt(before)}, after: ${fmt(after)}.`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      json: { type: 'boolean', default: false },
      command: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      sweep: { type: 'string', default: 'examples/seattle-weather.json' },
    },
  });
  if (values.command) {
    await commandStart(Number(values.runs ?? '5'), values.sweep, values.workers);
    return;
  }
  const runs = Number(values.runs ?? '7');
  const modules = positionals.length > 0 ? positionals : ['src/cloud/status.ts', 'infra/workflow.ts'];
  const before = loadavg();
  const rows = modules.map((m) => {
    loadOnce(m); // warm the file cache and tsx's transform cache
    const samples = Array.from({ length: runs }, () => loadOnce(m));
    return { module: m, runs, medianMs: median(samples.map((s) => s.ms)), medianRssMb: median(samples.map((s) => s.rssMb)), ms: samples.map((s) => s.ms) };
  });
  const after = loadavg();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ loadavgBefore: before, loadavgAfter: after, rows }, null, 2)}\n`);
    return;
  }
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const lines = [`load average before: ${fmt(before)}, after: ${fmt(after)}`, '', '| module | import, median ms | RSS after, median MB | runs |', '| --- | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.module} | ${r.medianMs.toFixed(0)} | ${r.medianRssMb.toFixed(0)} | ${r.runs} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
