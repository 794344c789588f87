/**
 * Help, --version and usage errors start without loading what commands need: no TypeScript loader,
 * no tfjs, no AWS SDK, no CDK, no vega. The real launcher runs with module-resolution hooks that
 * record every module it resolves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/layerbench.js', import.meta.url));
const TRACE = fileURLToPath(new URL('./fixtures/trace/register.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'layerbench-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = ['@tensorflow/', 'aws-cdk-lib', '/vega', '@aws-sdk/', '/tsx/', '/zod/', 'src/workflow/', 'src/steps/'];

function traced(name: string, ...args: string[]): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const trace = join(dir, `${name}.txt`);
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { env: { ...process.env, LAYERBENCH_TRACE: trace }, encoding: 'utf8' });
  let modules: string[] = [];
  try {
    modules = readFileSync(trace, 'utf8').trim().split('\n');
  } catch {
    // nothing resolved
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules };
}

describe('layerbench starts light', () => {
  it.each([
    ['help', ['--help'], 0],
    ['version', ['--version'], 0],
    ['run-help', ['run', '--help'], 0],
    ['usage-error', ['run', '--workers', '0', 'sweep.json'], 2],
  ] as const)('%s loads commander and the command table only', (name, args, status) => {
    const r = traced(name, ...args);

    expect(r.status).toBe(status);
    expect(r.modules.some((m) => m.endsWith('/src/cli/program.js'))).toBe(true);
    expect(r.modules.filter((m) => HEAVY.some((h) => m.includes(h)))).toEqual([]);
  });

  it('--help documents the exit codes; --version prints the package version', () => {
    const help = traced('help-text', '--help');
    const version = traced('version-text', '--version');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 {4}bad input: .*nothing was written\n {2}130 .*143 terminated/);
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });
});
