/**
 * The process guard (server/ops/process-guard.ts) in a real process: an unhandled rejection is
 * logged at error and the process goes on; a few uncaught exceptions are logged at fatal with
 * their stacks and the process keeps serving; more than five in a minute drain it with code 1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function run(throws: number): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/guarded.ts'], {
    cwd: ROOT, env: { ...process.env, THROWS: String(throws) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.resume();
  return new Promise((resolve) => proc.once('close', (code) => resolve({
    code, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
  })));
}

describe('process guard', () => {
  it('survives an unhandled rejection and three uncaught exceptions, logging each with its stack', async () => {
    const { code, lines } = await run(3);
    expect(code).toBe(0);
    const rejection = lines.filter((l) => l.level === 50);
    expect(rejection).toHaveLength(1);
    expect((rejection[0]!.err as { stack: string }).stack).toContain('nobody awaited this');
    const fatal = lines.filter((l) => l.level === 60);
    // Node may report exceptions thrown from timers out of their order; each is there once.
    expect(fatal.map((l) => (l.err as { message: string }).message).sort()).toEqual(['bug in a callback #1', 'bug in a callback #2', 'bug in a callback #3']);
    expect(fatal.every((l) => l.origin === 'uncaughtException' && String((l.err as { stack: string }).stack).includes('guarded.ts'))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'still alive', throws: 3 });
  }, 30_000);

  it('drains and exits with code 1 after the sixth uncaught exception in a minute', async () => {
    const { code, lines } = await run(20);
    expect(code).toBe(1);
    expect(lines.filter((l) => l.level === 60)).toHaveLength(6);
    expect(lines.find((l) => l.msg === 'stopping')).toMatchObject({ reason: 'uncaughtException', code: 1 });
    expect(lines.some((l) => l.msg === 'still alive')).toBe(false);
  }, 30_000);
});
