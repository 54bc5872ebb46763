// seccheck fuzz as a real process: a planted bug fails fast with a replayable
// counterexample, a correct filter passes, bad input exits 2, runs are deterministic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProgram, insn, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, type Insn } from 'unicorn-bpf-emulator';
import { ensureBuilt, runCli } from './__test-helpers__/cli.js';

let dir: string;
let planted: string;

/** An x86_64 allowlist that clears the x32 bit before dispatching, without killing x32 numbers first. */
function noX32Guard(): Insn[] {
  const p: Insn[] = [insn(OP.LD_W_ABS, 0, 0, 4), insn(OP.JMP_JEQ_K, 1, 0, 0xc000003e), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS), insn(OP.LD_W_ABS, 0, 0, 0), insn(OP.ALU_AND_K, 0, 0, 0xbfffffff)];
  for (const nr of [0, 1, 39, 60, 231]) p.push(insn(OP.JMP_JEQ_K, 0, 1, nr), insn(OP.RET_K, 0, 0, SECCOMP_RET_ALLOW));
  p.push(insn(OP.RET_K, 0, 0, SECCOMP_RET_ERRNO | 1));
  return p;
}

/** Everything after "replay: seccheck " as argv (the test's paths need no quoting). */
const replayArgs = (stdout: string): string[] => {
  const m = /replay: seccheck (.*)$/m.exec(stdout);
  expect(m).not.toBeNull();
  return m![1].split(' ');
};
const withoutTiming = (s: string): string => s.replace(/[0-9,]+ cases\/s/g, 'N cases/s').replace(/\(\d+ ms\)/g, '(N ms)');

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-fuzz-'));
  planted = join(dir, 'no-x32-guard.bpf');
  writeFileSync(planted, encodeProgram(noX32Guard()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seccheck fuzz', () => {
  it('finds a missing x32 guard quickly, with a shrunk counterexample and a replay command', () => {
    const t0 = Date.now();
    const r = runCli(['fuzz', planted, '--seed', '12345', '--runs', '100000']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL x32: /);
    const m = /counterexample \(shrunk in \d+ steps\): nr=(0x[0-9a-f]+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1]) & 0x40000000).not.toBe(0);
    const args = replayArgs(r.stdout);
    expect(args).toEqual(expect.arrayContaining(['--seed', '12345', '--runs']));
    const again = runCli(args);
    expect(again.code).toBe(1);
    const counter = (s: string): string => /counterexample.*\n.*\n.*first failing case.*/.exec(s)![0];
    expect(counter(again.stdout)).toBe(counter(r.stdout));
    expect(replayArgs(again.stdout)).toEqual(args);
  });

  it('passes a correct filter', () => {
    const r = runCli(['fuzz', 'examples/deny-getpid.bpf', '--runs', '2000', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: x32, arch, i386 held on 2000 cases \(seed 3, /);
    expect(r.stdout).toMatch(/coverage: \d+\/\d+ branch edges/);
  });

  it('is deterministic for a seed', () => {
    const a = runCli(['fuzz', planted, '--seed', '99', '--runs', '50000']);
    const b = runCli(['fuzz', planted, '--seed', '99', '--runs', '50000']);
    expect(a.code).toBe(1);
    expect(withoutTiming(b.stdout)).toBe(withoutTiming(a.stdout));
    const c = runCli(['fuzz', 'examples/deny-getpid.bpf', '--seed', '99', '--runs', '3000', '--properties', 'x32,arch']);
    const d = runCli(['fuzz', 'examples/deny-getpid.bpf', '--seed', '99', '--runs', '3000', '--properties', 'x32,arch']);
    expect(c.code).toBe(0);
    expect(withoutTiming(d.stdout)).toBe(withoutTiming(c.stdout));
  });

  it('exits 2 on bad input, with one line on stderr', () => {
    const bad = (args: string[], pattern: RegExp): void => {
      const r = runCli(['fuzz', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    bad([join(dir, 'missing.bpf')], /^seccheck: /);
    bad(['examples/deny-getpid.bpf', '--runs', 'lots'], /--runs/);
    bad(['examples/deny-getpid.bpf', '--time', 'soon'], /--time/);
    bad(['examples/deny-getpid.bpf', '--time', '1s', '--runs', '5'], /not both/);
    bad(['examples/deny-getpid.bpf', '--seed', 'x'], /--seed/);
    bad(['examples/deny-getpid.bpf', '--properties', 'x32,nope'], /unknown property "nope"/);
    bad(['examples/deny-getpid.bpf', '--arch', 'vax'], /--arch/);
  });
});
