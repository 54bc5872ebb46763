// seccheck verify end to end (in process through main()): specs that hold,
// specs that fail with the right counterexample, exit codes, --json, --junit;
// --engine kernel|both on the running kernel (failing loudly where the
// kernel engine is unavailable), and the built CLI's one-line error when
// it is asked for and missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { ensureBuilt, lines, ROOT, runMain } from './__test-helpers__/cli.js';
import { requireKernelEngineForTests } from './__test-helpers__/engines.js';

const SPECS = join(ROOT, 'test', 'fixtures', 'spec');
const spec = (name: string): string => join(SPECS, name);

interface JsonResult {
  line: number;
  expectation: string;
  action: string;
  pass: boolean;
  method: 'exact' | 'sampled';
  counterexample?: {
    arch: string; audit_arch: string; nr: number; args: string[]; ip: string; got: string;
    kernel?: Record<string, unknown> | null; kernel_skipped?: string; disagreement?: true;
  };
  kernel?: KernelCounts;
}
interface KernelCounts { cases: number; skipped: number; disagree: number }
interface JsonReport { spec: string; filter: string; engine: string; pass: boolean; kernel?: KernelCounts; results: JsonResult[] }

async function json(args: string[]): Promise<{ code: number | null; report: JsonReport }> {
  const r = await runMain(['verify', ...args, '--json']);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seccheck-verify-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seccheck verify: specs that hold', () => {
  it('examples/deny-getpid.bpf: getpid ERRNO(EPERM), foreign KILL_PROCESS, x32 deny, default ALLOW', async () => {
    const r = await runMain(['verify', spec('deny-getpid.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out).toHaveLength(6);
    expect(out[0]).toBe(`PASS ${spec('deny-getpid.yaml')}:5 getpid: ERRNO(EPERM)`);
    expect(out.slice(0, 5).every((l) => l.startsWith('PASS '))).toBe(true);
    expect(out[5]).toBe('verified: 5 of 5 expectations hold');
  });

  it('decides deny-getpid exactly (no sampling), also from a JSON spec', async () => {
    for (const name of ['deny-getpid.yaml', 'deny-getpid.json']) {
      const { code, report } = await json([spec(name)]);
      expect(code).toBe(0);
      expect(report.pass).toBe(true);
      expect(report.results.every((x) => x.pass && x.method === 'exact')).toBe(true);
    }
  });

  it('boxlite (seccompiler JSON from the corpus, --filter): ptrace deny, foreign KILL_PROCESS, x32 deny', async () => {
    const policy = join(requireCorpus(), 'policies', 'boxlite', 'x86_64-unknown-linux-gnu.json');
    const { code, report } = await json([spec('boxlite.yaml'), '--filter', policy]);
    expect(code).toBe(0);
    expect(report.filter).toBe(policy);
    expect(report.results.map((x) => [x.expectation, x.pass])).toEqual([['ptrace', true], ['foreign_arch', true], ['x32', true]]);
  });
});

describe('seccheck verify: specs that fail', () => {
  it('finds the dword bug: a counterexample with a non-zero high half of args[1]', async () => {
    const r = await runMain(['verify', spec('dword-bug.yaml')]);
    expect(r.code).toBe(1);
    const fail = lines(r.stdout).filter((l) => l.startsWith('FAIL '));
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatch(/dword-bug\.yaml:9 ioctl: ERRNO\(EPERM\).*got ALLOW; counterexample: arch=x86_64 nr=16 args\[1\]=0x[0-9a-f]+$/);
    const { report } = await json([spec('dword-bug.yaml')]);
    const cx = report.results.find((x) => !x.pass)?.counterexample;
    expect(cx).toBeDefined();
    const a1 = BigInt(cx!.args[1]);
    expect(a1 >> 32n).not.toBe(0n);
    expect(a1 & 0xffffffffn).toBe(0x5401n);
    expect(cx!.got).toBe('ALLOW');
    expect(report.results.map((x) => x.method)).toEqual(['exact', 'exact', 'exact', 'exact', 'exact']);
  });

  it('finds x32 callers let through by a denylist without an x32 guard', async () => {
    const { code, report } = await json([spec('no-x32-guard.yaml')]);
    expect(code).toBe(1);
    const bad = report.results.filter((x) => !x.pass);
    expect(bad.map((x) => x.expectation)).toEqual(['x32']);
    const cx = bad[0].counterexample!;
    expect(cx.arch).toBe('x32');
    expect(cx.audit_arch).toBe('0xc000003e');
    expect(cx.nr & 0x40000000).toBe(0x40000000);
    expect(cx.got).toBe('ALLOW');
    expect(bad[0].method).toBe('exact');
  });

  it('fails a boxlite expectation that is false (ptrace allowed)', async () => {
    const policy = join(requireCorpus(), 'policies', 'boxlite', 'x86_64-unknown-linux-gnu.json');
    const s = join(dir, 'boxlite-wrong.yaml');
    writeFileSync(s, 'format: seccompiler\nthread: vmm\narches: [x86_64]\nexpect:\n  - syscalls: [ptrace]\n    action: ALLOW\n');
    const r = await runMain(['verify', s, '--filter', policy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL .*:5 ptrace: ALLOW: got \S+; counterexample: arch=x86_64 nr=101\n/);
  });

  it('is deterministic', async () => {
    const a = await runMain(['verify', spec('dword-bug.yaml'), '--json']);
    const b = await runMain(['verify', spec('dword-bug.yaml'), '--json']);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--junit writes one test case per expectation, failures marked', async () => {
    const out = join(dir, 'report.xml');
    const r = await runMain(['verify', spec('no-x32-guard.yaml'), '--junit', out]);
    expect(r.code).toBe(1);
    const xml = readFileSync(out, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(/counterexample: arch=x32 nr=0x40000000/);
  });
});

describe('seccheck verify: bad input exits 2 with one line', () => {
  it.each([
    ['a spec with an unknown syscall', 'arches: [x86_64]\nexpect:\n  - syscalls: [nosuch]\n    action: ALLOW\n', /bad\.yaml:3: unknown syscall "nosuch" on x86_64/],
    ['a spec with no filter', 'arches: [x86_64]\nexpect:\n  - default: ALLOW\n', /names no filter; give one with --filter/],
    ['a spec whose filter is missing', 'filter: nosuch.bpf\narches: [x86_64]\nexpect:\n  - default: ALLOW\n', /nosuch\.bpf/],
  ])('%s', async (_what, text, pattern) => {
    const s = join(dir, 'bad.yaml');
    writeFileSync(s, text);
    const r = await runMain(['verify', s]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it('a missing spec file', async () => {
    const r = await runMain(['verify', join(dir, 'absent.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/absent\.yaml: cannot read: ENOENT/);
  });
});

describe('seccheck verify --engine kernel|both (the running kernel)', () => {
  beforeAll(() => {
    requireKernelEngineForTests();
  });

  it('--engine emulator prints what plain verify prints, byte for byte', async () => {
    for (const name of ['deny-getpid.yaml', 'dword-bug.yaml']) {
      const plain = await runMain(['verify', spec(name)]);
      expect(await runMain(['verify', spec(name), '--engine', 'emulator'])).toEqual(plain);
    }
    expect((await json([spec('deny-getpid.yaml')])).report.engine).toBe('emulator');
  });

  it('deny-getpid holds on the kernel: every expectation, with the count of kernel cases', async () => {
    for (const engine of ['kernel', 'both']) {
      const r = await runMain(['verify', spec('deny-getpid.yaml'), '--engine', engine]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const out = lines(r.stdout);
      expect(out).toHaveLength(7);
      expect(out.slice(0, 5).every((l) => l.startsWith('PASS '))).toBe(true);
      expect(out[5]).toMatch(engine === 'kernel' ? /^kernel: \d{3,} cases, 0 skipped$/ : /^kernel: \d{3,} cases, 0 skipped, 0 disagree$/);
      expect(out[6]).toBe('verified: 5 of 5 expectations hold');
    }
  });

  it('the dword bug fails on the kernel too: the kernel lets args[1] = 0x1_00005401 through', async () => {
    const r = await runMain(['verify', spec('dword-bug.yaml'), '--engine', 'both']);
    expect(r.code).toBe(1);
    const fail = lines(r.stdout).filter((l) => l.startsWith('FAIL '));
    expect(fail).toHaveLength(1);
    expect(fail[0]).toMatch(/dword-bug\.yaml:9 ioctl: ERRNO\(EPERM\): got ALLOW; kernel: runs; counterexample: arch=x86_64 nr=16 args\[1\]=0x[0-9a-f]*[1-9a-f]00005401$/);
    const { code, report } = await json([spec('dword-bug.yaml'), '--engine', 'both']);
    expect(code).toBe(1);
    expect(report.engine).toBe('both');
    expect(report.kernel).toMatchObject({ skipped: 0, disagree: 0 });
    expect(report.kernel!.cases).toBeGreaterThan(700);
    const bad = report.results.find((x) => !x.pass)!;
    expect(bad.counterexample!.kernel).toEqual({ kind: 'allowed', logged: false });
    expect(bad.kernel).toMatchObject({ skipped: 0, disagree: 0 });
    // x32 callers: one kernel case per x32 syscall at least, all made for real with the x32 bit.
    expect(report.results.find((x) => x.expectation === 'x32')!.kernel!.cases).toBeGreaterThan(300);
  });

  it('no-x32-guard: the x32 hole is shown by the kernel (an x32 syscall runs)', async () => {
    const { code, report } = await json([spec('no-x32-guard.yaml'), '--engine', 'kernel']);
    expect(code).toBe(1);
    const bad = report.results.filter((x) => !x.pass);
    expect(bad.map((x) => x.expectation)).toEqual(['x32']);
    expect(bad[0].counterexample).toMatchObject({ arch: 'x32', got: 'ALLOW', kernel: { kind: 'allowed', logged: false } });
  });

  it('cases of an arch this kernel does not run are counted as skipped and keep the emulator\'s judgement', async () => {
    const s = join(dir, 'two-arches.yaml');
    writeFileSync(s, `filter: ${join(ROOT, 'examples', 'deny-getpid.bpf')}\narches: [x86_64, aarch64]\nexpect:\n  - syscalls: [getpid]\n    action: deny\n  - x32: deny\n`);
    const r = await runMain(['verify', s, '--engine', 'both']);
    expect(r.code).toBe(0);
    const summaryLine = lines(r.stdout).find((l) => l.startsWith('kernel: '))!;
    const [, cases, skipped] = /^kernel: (\d+) cases, (\d+) skipped, 0 disagree$/.exec(summaryLine)!;
    expect(Number(skipped)).toBeGreaterThan(0);
    expect(Number(skipped)).toBeLessThan(Number(cases));
  });

  it('--junit names the engine and the kernel counts', async () => {
    const out = join(dir, 'kernel-report.xml');
    const r = await runMain(['verify', spec('dword-bug.yaml'), '--engine', 'kernel', '--junit', out]);
    expect(r.code).toBe(1);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/<property name="engine" value="kernel"\/>/);
    expect(xml).toMatch(/<property name="kernel" value="kernel: \d+ cases, 0 skipped"\/>/);
    expect(xml).toMatch(/counterexample: arch=x86_64 nr=16 args\[1\]=0x1[0-9a-f]+; kernel: runs/);
  });

  it('is deterministic on the kernel', async () => {
    const a = await runMain(['verify', spec('dword-bug.yaml'), '--json', '--engine', 'both']);
    const b = await runMain(['verify', spec('dword-bug.yaml'), '--json', '--engine', 'both']);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('seccheck verify --engine kernel|both without the kernel engine (built CLI)', () => {
  it('exits 2 with one line giving the reason; --engine emulator still works', () => {
    ensureBuilt();
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'seccheck.js'), ...args], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, SECCHECK_PROBE_DIR: join(dir, 'no-probe-here') },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const engine of ['kernel', 'both']) {
      const r = run(['verify', spec('deny-getpid.yaml'), '--engine', engine]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^seccheck: the kernel engine is unavailable: the kernel probe is not built/);
    }
    expect(run(['verify', spec('deny-getpid.yaml'), '--engine', 'emulator']).code).toBe(0);
    expect(run(['verify', spec('deny-getpid.yaml'), '--engine', 'vm']).code).toBe(2);
  });
});
