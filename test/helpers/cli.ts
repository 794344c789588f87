/** Run the layerbench CLI in-process; returns the exit code and what it printed. */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const exitCode = process.exitCode;
  try {
    const code = await main(['node', 'layerbench', ...args]);
    return { code: code === 0 && process.exitCode ? Number(process.exitCode) : code, stdout, stderr };
  } finally {
    process.exitCode = exitCode;
    vi.restoreAllMocks();
  }
}
