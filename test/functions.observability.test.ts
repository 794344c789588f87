/**
 * The handlers' log line says whether the invocation was a cold start (issue 21: it always said false,
 * since Powertools decides it only when AWS_LAMBDA_INITIALIZATION_TYPE is "on-demand"). Each case loads
 * the module afresh: a new module is a new process as far as the flag goes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

type ObservabilityModule = typeof import('../functions/shared/observability.js');

async function freshModule(): Promise<ObservabilityModule> {
  vi.resetModules();
  return import('../functions/shared/observability.js');
}

/** What `invoke` logs for each of `n` invocations of one handler: the `cold_start` of its log line. */
async function coldStarts(mod: ObservabilityModule, n: number, service = 'train'): Promise<unknown[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    const o = mod.observability(service);
    for (let i = 0; i < n; i++) {
      await mod.invoke(o, { awsRequestId: `req-${i}`, functionName: 'layerbench-train' }, async () => o.logger.info('step ran'));
    }
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"step ran"'))
    .map((l) => (JSON.parse(l) as { cold_start?: unknown }).cold_start);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('cold_start in the handlers’ logs', () => {
  it('is true for the first invocation of a process and false after, without AWS_LAMBDA_INITIALIZATION_TYPE', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', undefined);
    expect(await coldStarts(await freshModule(), 3)).toEqual([true, false, false]);
  });

  it('is the same on Lambda’s on-demand initialisation', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    expect(await coldStarts(await freshModule(), 2)).toEqual([true, false]);
  });

  it('is false under provisioned concurrency (the process was initialised before any request)', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'provisioned-concurrency');
    expect(await coldStarts(await freshModule(), 2)).toEqual([false, false]);
  });

  it('is one flag per process: two handlers of one bundle (Train and Finalize) do not both claim the cold start', async () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', undefined);
    const mod = await freshModule();
    expect([...(await coldStarts(mod, 1, 'train')), ...(await coldStarts(mod, 1, 'finalize'))]).toEqual([true, false]);
  });
});
