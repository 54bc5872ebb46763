// Running seccheck in tests: as a real process (node bin/seccheck.js, after
// making sure dist/ is built) or in-process through main() with captured output.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

/** The repository root; the CLI runs with it as working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'seccheck.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Lines of a text, without the final empty one. */
export const lines = (s: string): string[] => s.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);

/**
 * Build dist/ with `tsc -b` (incremental: quick when up to date). Test files
 * run in parallel workers, so builds take turns through a lock directory.
 */
export function ensureBuilt(): void {
  const lock = join(tmpdir(), `seccheck-build-lock-${ROOT.replace(/\W/g, '_')}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock this old was left by a killed run.
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Run the built CLI as a child process from the repository root. */
export function runCli(args: readonly string[], opts: { bin?: string; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [opts.bin ?? BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI's main() in this process with captured output (same code path, no process start). */
export async function runMain(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/**
 * A user error: exit 2, exactly one line on stderr starting "seccheck: ", no
 * stack trace; with `emptyStdout`, nothing on stdout either (commands like
 * check still report the other files there).
 */
export function expectOneLineError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp, opts: { emptyStdout?: boolean } = {}): void {
  expect(r.code).toBe(2);
  if (opts.emptyStdout) expect(r.stdout).toBe('');
  const errLines = lines(r.stderr);
  expect(errLines).toHaveLength(1);
  expect(errLines[0]).toMatch(/^seccheck: /);
  expect(errLines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
