// The CLI contract for --engine (eval, check, verify): the default is
// byte-identical to the emulator-only output; kernel and both add "outcome"
// (and "kernel"/"reason"), a summary line on stderr, exit 1 on a
// disagreement, exit 2 with one line when the kernel engine is unavailable.
// The kernel cannot be made to disagree, so the disagreement path runs with
// a crafted kernel engine: through the library, and through main() with the
// kernel engine module mocked; real runs agree.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actionValue, BPF_JUMP, BPF_STMT, encodeProgram, OP, type Insn, type Program } from 'unicorn-bpf-emulator';
import { checkEngineReport, checkInputs } from '../src/check_files.js';
import type { Engine, EngineOutcome } from '../src/engines/engine.js';
import { kernelSkipReason } from '../src/engines/kernel_skip.js';
import { engineReport, evaluatePrograms } from '../src/evaluate.js';
import { enginesRecord, enginesReport, evaluateOnEngines, formatEnginesLine } from '../src/evaluate_engines.js';
import { checkOnEngines, enginesCheckRecord, enginesCheckReport, formatEnginesCheck } from '../src/check_engines.js';
import { readCases } from '../src/formats/cases.js';
import { loadFilter, selectPrograms } from '../src/formats/load.js';
import { ensureBuilt, lines, ROOT, runCli } from './__test-helpers__/cli.js';
import { requireKernelEngineForTests } from './__test-helpers__/engines.js';

const EXAMPLE = 'examples/deny-getpid.bpf';
const EXAMPLE_CASES = 'examples/cases.jsonl';
const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);

let dir: string;
const f = (name: string): string => join(dir, name);
const writeFilter = (name: string, program: Insn[]): string => {
  writeFileSync(f(name), encodeProgram(program, 'little'));
  return f(name);
};
const json = (out: string): Record<string, unknown>[] => lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  requireKernelEngineForTests();
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-engine-'));
  writeFilter('bad-jump.bpf', [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 39, 5, 0), RET(0x7fff0000)]);
  writeFilter('big.bpf', Array.from({ length: 4096 }, () => RET(0x7fff0000)));
  writeFilter('deny-all-5.bpf', [RET(actionValue('ERRNO', 5))]);
  writeFilter('reads-ip.bpf', [BPF_STMT(OP.LD_W_ABS, 8), BPF_STMT(OP.RET_K, 0x7fff0000)]);
  writeFileSync(f('bypass.jsonl'), ['{"arch":"x86_64","nr":335}', '{"arch":"x86_64","nr":337}'].join('\n') + '\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('--engine emulator (the default)', () => {
  it('eval and check print byte for byte what they print without --engine', () => {
    for (const args of [
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES],
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json'],
      ['check', EXAMPLE, f('bad-jump.bpf')],
      ['check', '--json', EXAMPLE, f('bad-jump.bpf')],
    ]) {
      const plain = runCli(args);
      const explicit = runCli([...args, '--engine', 'emulator']);
      expect(explicit).toEqual(plain);
      expect(plain.stderr).toBe('');
      expect(plain.stdout).not.toMatch(/outcome|kernel/);
    }
  });

  it('an unknown engine is a one-line usage error', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--engine', 'qemu']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^seccheck: .*--engine.*qemu/);
  });
});

describe('seccheck eval --engine kernel|both', () => {
  it('kernel: "outcome" per line (null when not run), a summary on stderr, exit 0', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json', '--engine', 'kernel']);
    expect(r.code).toBe(0);
    const recs = json(r.stdout);
    expect(recs.map((o) => Object.keys(o))).toEqual([
      ['action', 'data', 'raw', 'outcome'], ['action', 'data', 'raw', 'outcome'], ['action', 'data', 'raw', 'outcome'],
      ['action', 'data', 'raw', 'outcome'], ['action', 'data', 'raw', 'outcome'], ['action', 'data', 'raw', 'outcome'],
    ]);
    expect(recs.map((o) => o.outcome)).toEqual([
      { kind: 'errno', errno: 1 },
      { kind: 'allowed', logged: false },
      null, // ip 0x7f0000001000: the kernel fills the ip itself
      { kind: 'killed', signal: 31, scope: 'process' },
      { kind: 'killed', signal: 31, scope: 'process' },
      null, // aarch64
    ]);
    expect(lines(r.stderr)).toEqual(['seccheck: 6 cases: 4 run on the kernel, 2 skipped']);
  });

  it('both: "kernel": agree|skipped with "reason", the summary counts each kind, exit 0', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json', '--engine', 'both']);
    expect(r.code).toBe(0);
    const recs = json(r.stdout);
    expect(recs[0]).toEqual({ action: 'ERRNO', data: 1, raw: '0x00050001', outcome: { kind: 'errno', errno: 1 }, kernel: 'agree' });
    expect(recs.map((o) => o.kernel)).toEqual(['agree', 'agree', 'skipped', 'agree', 'agree', 'skipped']);
    expect(recs[2].reason).toBe('ip 0x7f0000001000: the kernel fills instruction_pointer itself');
    expect(recs[5].reason).toMatch(/^aarch64 syscalls cannot be made on this x86_64 kernel$/);
    expect(recs.filter((o) => 'reason' in o)).toHaveLength(2);
    expect(lines(r.stderr)).toEqual(['seccheck: 6 cases: 4 agree, 0 disagree, 2 skipped']);
  });

  it('both, text: each line ends with the kernel\'s outcome and the verdict', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--engine', 'both']);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('1: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001); kernel: errno 1 (agree)');
    expect(out[3]).toBe('4: x86 nr=20 -> KILL_PROCESS (raw 0x80000000); kernel: killed by SIGSYS (process) (agree)');
    expect(out[5]).toMatch(/^6: aarch64 nr=172 -> KILL_PROCESS \(raw 0x80000000\); kernel: skipped \(aarch64 syscalls cannot be made/);
  });

  it('one case from options; a filter that reads the ip is skipped with that reason', () => {
    const r = runCli(['eval', EXAMPLE, '--arch', 'x32', '--syscall', 'getpid', '--json', '--engine', 'both']);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual([{ action: 'KILL_PROCESS', data: 0, raw: '0x80000000', outcome: { kind: 'killed', signal: 31, scope: 'process' }, kernel: 'agree' }]);
    const ip = runCli(['eval', f('reads-ip.bpf'), '--arch', 'x86_64', '--syscall', '39', '--json', '--engine', 'both']);
    expect(json(ip.stdout)[0]).toMatchObject({ outcome: null, kernel: 'skipped', reason: 'the filter reads instruction_pointer, which the kernel fills itself' });
    expect(lines(ip.stderr)).toEqual(['seccheck: 1 case: 0 agree, 0 disagree, 1 skipped']);
  });

  it('uretprobe/uprobe (x86_64 335/336): the probe does not make them, so they are skipped with that reason', () => {
    const r = runCli(['eval', f('deny-all-5.bpf'), '--cases', f('bypass.jsonl'), '--engine', 'both', '--json']);
    expect(r.code).toBe(0);
    const recs = json(r.stdout);
    expect(recs.map((o) => o.kernel)).toEqual(['skipped', 'agree']);
    expect(recs[0]).toMatchObject({ outcome: null, reason: expect.stringMatching(/uretprobe/) as string });
    expect(lines(r.stderr)).toEqual(['seccheck: 2 cases: 1 agree, 0 disagree, 1 skipped']);
  });
});

describe('--engine both: a disagreement exits 1 (the CLI with a crafted kernel engine, in process)', () => {
  afterAll(() => {
    vi.doUnmock('../src/engines/kernel.js');
    vi.resetModules();
  });

  it('prints each disagreement (file, case, data, both sides) and the summary on stderr, exit 1', async () => {
    vi.resetModules();
    vi.doMock('../src/engines/kernel.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../src/engines/kernel.js')>();
      const crafted: Engine = {
        name: 'kernel',
        check: (stack) => stack.map((_, index) => ({ index, ok: false, errno: 'ENOMEM' })),
        // The real skip rules, and SIGSYS for every case it runs.
        run: (_stack, cases) => cases.map((c): EngineOutcome => {
          const reason = kernelSkipReason(c, false);
          return reason === null ? { kind: 'killed', signal: 31, scope: 'process' } : { kind: 'skipped', reason };
        }),
      };
      return { ...real, kernel: crafted, requireKernelEngine: () => undefined };
    });
    const { main } = await import('../src/cli/main.js');
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    expect(await main(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--engine', 'both', '--json'], io)).toBe(1);
    expect(json(out).map((o) => o.kernel)).toEqual(['disagree', 'disagree', 'skipped', 'agree', 'agree', 'skipped']);
    expect(lines(err)).toEqual([
      `seccheck: disagreement: ${EXAMPLE}, case 1: x86_64 nr=39 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ERRNO(1) -> errno 1; kernel: killed by SIGSYS (process)`,
      `seccheck: disagreement: ${EXAMPLE}, case 2: x86_64 nr=110 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ALLOW -> runs; kernel: killed by SIGSYS (process)`,
      'seccheck: 6 cases: 2 agree, 2 disagree, 2 skipped',
    ]);
    out = '';
    err = '';
    expect(await main(['check', EXAMPLE, '--engine', 'both'], io)).toBe(1);
    expect(lines(out)).toEqual([`${EXAMPLE}: accepted (8 instructions, eBPF length 15); kernel: rejected: ENOMEM (disagree)`]);
    expect(lines(err)).toEqual([`seccheck: disagreement: ${EXAMPLE}: emulator: accepted; kernel: rejected: ENOMEM`, 'seccheck: 1 filter: 0 agree, 1 disagree, 0 skipped']);
  });
});

describe('seccheck check --engine kernel|both', () => {
  it('both: the kernel\'s verdict per file as "outcome", agree, exit 1 for the rejected file', () => {
    const r = runCli(['check', '--json', '--engine', 'both', EXAMPLE, f('bad-jump.bpf')]);
    expect(r.code).toBe(1);
    const recs = json(r.stdout);
    expect(recs[0]).toEqual({ file: EXAMPLE, accepted: true, errno: null, insn: null, reason: null, outcome: { accepted: true, errno: null }, kernel: 'agree' });
    expect(recs[1]).toMatchObject({ accepted: false, errno: 'EINVAL', outcome: { accepted: false, errno: 'EINVAL' }, kernel: 'agree' });
    expect(lines(r.stderr)).toEqual(['seccheck: 2 filters: 2 agree, 0 disagree, 0 skipped']);
  });

  it('both, text; kernel alone: the outcome without a verdict', () => {
    const both = runCli(['check', '--engine', 'both', EXAMPLE]);
    expect(both.code).toBe(0);
    expect(lines(both.stdout)).toEqual([`${EXAMPLE}: accepted (8 instructions, eBPF length 15); kernel: accepted (agree)`]);
    const k = runCli(['check', '--json', '--engine', 'kernel', EXAMPLE]);
    expect(k.code).toBe(0);
    expect(json(k.stdout)[0]).toEqual({ file: EXAMPLE, accepted: true, errno: null, insn: null, reason: null, outcome: { accepted: true, errno: null } });
    expect(lines(k.stderr)).toEqual(['seccheck: 1 filter: 1 checked on the kernel, 0 skipped']);
  });

  it('--stack: the kernel also refuses the fourth 4096-instruction filter with ENOMEM; the ones after are skipped on both sides', () => {
    const big = f('big.bpf');
    const r = runCli(['check', '--stack', '--json', '--engine', 'both', big, big, big, big, EXAMPLE]);
    expect(r.code).toBe(1);
    const recs = json(r.stdout);
    expect(recs.map((o) => o.outcome)).toEqual([
      { accepted: true, errno: null }, { accepted: true, errno: null }, { accepted: true, errno: null },
      { accepted: false, errno: 'ENOMEM' }, null,
    ]);
    expect(recs.map((o) => o.kernel)).toEqual(['agree', 'agree', 'agree', 'agree', 'skipped']);
    expect(recs[4].kernel_reason).toMatch(/^not loaded: .*big\.bpf failed before it$/);
    expect(lines(r.stderr)).toEqual(['seccheck: 5 filters: 4 agree, 0 disagree, 1 skipped']);
  });
});

describe('the kernel engine unavailable', () => {
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'seccheck.js'), ...args], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, SECCHECK_PROBE_DIR: join(dir, 'no-probe-here') },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('kernel and both exit 2 with one line giving the reason; the emulator still works', () => {
    for (const args of [
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--engine', 'kernel'],
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--engine', 'both'],
      ['check', EXAMPLE, '--engine', 'both'],
    ]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^seccheck: the kernel engine is unavailable: the kernel probe is not built/);
    }
    expect(run(['eval', EXAMPLE, '--cases', EXAMPLE_CASES]).code).toBe(0);
  });
});

describe('the disagreement path, with a crafted kernel result (library)', () => {
  /** A kernel engine that answers every case with `o` and every install with `steps`. */
  const crafted = (o: EngineOutcome, ok = true): Engine => ({
    name: 'kernel',
    check: (stack: readonly Program[]) => stack.map((_, index) => ({ index, ok, errno: ok ? null : 'EINVAL' })),
    run: (_stack, cases) => cases.map(() => o),
  });

  it('eval: a different outcome is a disagreement, reported with the file, the data and both sides', () => {
    const loaded = loadFilter(EXAMPLE);
    const cases = readCases(EXAMPLE_CASES);
    const verdicts = evaluatePrograms(loaded.format, selectPrograms(loaded, undefined), cases, {
      engine: 'both', kernelEngine: crafted({ kind: 'killed', signal: 31, scope: 'process' }),
    });
    expect(verdicts.map((v) => v.comparison?.verdict)).toEqual(['disagree', 'disagree', 'disagree', 'agree', 'agree', 'agree']);
    const report = engineReport(EXAMPLE, verdicts, 'both');
    expect(report.disagreements).toBe(3);
    expect(report.lines[0]).toBe(
      `disagreement: ${EXAMPLE}, case 1: x86_64 nr=39 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ERRNO(1) -> errno 1; kernel: killed by SIGSYS (process)`,
    );
    expect(report.lines[2]).toContain('case 3: x86_64 nr=39 args=[0x1,0xffffffffffffffff,0x0,0x0,0x0,0x0] ip=0x7f0000001000');
    expect(report.lines.at(-1)).toBe('6 cases: 3 agree, 3 disagree, 0 skipped');
    // LOG vs ALLOW is not a disagreement: only the audit log tells them apart.
    const logged = evaluatePrograms(loaded.format, selectPrograms(loaded, undefined), cases.slice(1, 2), { engine: 'both', kernelEngine: crafted({ kind: 'allowed', logged: true }) });
    expect(logged[0].comparison).toEqual({ verdict: 'agree' });
  });

  it('check: a different verdict is a disagreement, reported with the file and both sides', () => {
    const results = checkInputs([EXAMPLE], { engine: 'both', kernelEngine: crafted({ kind: 'timeout' }, false) }).flatMap((i) => i.results);
    const report = checkEngineReport(results, 'both');
    expect(report.disagreements).toBe(1);
    expect(report.lines).toEqual([`disagreement: ${EXAMPLE}: emulator: accepted; kernel: rejected: EINVAL`, '1 filter: 0 agree, 1 disagree, 0 skipped']);
  });
});

describe('--engine lists', () => {
  const SPEC = 'test/fixtures/spec/deny-getpid.yaml';

  it('a bad list is a one-line usage error (exit 2, nothing on stdout) in eval, check and verify', () => {
    const bad: [string, RegExp][] = [
      ['emulator,qemu', /^seccheck: --engine: unknown engine "qemu"; valid: emulator, kernel, vm:aarch64, vm:x86_64, container:x86_64, container:aarch64, both/],
      ['emulator,,kernel', /^seccheck: --engine: empty engine name/],
      ['both,kernel', /^seccheck: --engine: kernel is named twice/],
    ];
    if (process.arch === 'x64') bad.push(['emulator,container:aarch64', /^seccheck: .*container:aarch64.*qemu-user.*vm:aarch64/]);
    for (const [engines, want] of bad) {
      for (const args of [['eval', EXAMPLE, '--cases', EXAMPLE_CASES], ['check', EXAMPLE], ['verify', SPEC]]) {
        const r = runCli([...args, '--engine', engines]);
        expect(r.code, `${args[0]} --engine ${engines}`).toBe(2);
        expect(r.stdout).toBe('');
        expect(lines(r.stderr)).toHaveLength(1);
        expect(r.stderr).toMatch(want);
      }
    }
  });

  it('emulator,kernel (in either order) prints byte for byte what both prints', () => {
    for (const args of [
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES],
      ['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json'],
      ['check', EXAMPLE, f('bad-jump.bpf')],
      ['check', '--json', EXAMPLE, f('bad-jump.bpf')],
      ['verify', SPEC],
      ['verify', SPEC, '--json'],
    ]) {
      const both = runCli([...args, '--engine', 'both']);
      expect(both.stderr + both.stdout).toMatch(/kernel/);
      for (const list of ['emulator,kernel', 'kernel, emulator']) expect(runCli([...args, '--engine', list]), `${args.join(' ')} --engine ${list}`).toEqual(both);
    }
  });
});

describe('several engines besides the emulator (library, crafted engines)', () => {
  const crafted = (name: 'kernel' | `vm:${string}`, o: EngineOutcome, ok = true): Engine => ({
    name,
    check: (stack: readonly Program[]) => stack.map((_, index) => ({ index, ok, errno: ok ? null : 'EINVAL' })),
    run: (_stack, cases) => cases.map(() => o),
  });
  const loaded = () => loadFilter(EXAMPLE);

  it('eval: "kernel" is the verdict over all, "engines" each one\'s; text and report name each engine', () => {
    const l = loaded();
    const cases = readCases(EXAMPLE_CASES).slice(0, 2);
    const ev = evaluateOnEngines(l.format, selectPrograms(l, undefined), cases,
      [crafted('vm:a', { kind: 'errno', errno: 1 }), crafted('vm:b', { kind: 'killed', signal: 31, scope: 'process' })], { withEmulator: true });
    expect(ev.mode).toBe('both');
    expect(enginesRecord(ev, 0)).toEqual({
      action: 'ERRNO', data: 1, raw: '0x00050001', outcome: { kind: 'errno', errno: 1 }, kernel: 'disagree',
      engines: { 'vm:a': { outcome: { kind: 'errno', errno: 1 }, verdict: 'agree' }, 'vm:b': { outcome: { kind: 'killed', signal: 31, scope: 'process' }, verdict: 'disagree' } },
    });
    expect(formatEnginesLine(ev, 0)).toBe('1: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001); vm:a: errno 1 (agree); vm:b: killed by SIGSYS (process) (disagree)');
    const report = enginesReport(EXAMPLE, ev);
    expect(report.disagreements).toBe(3);
    expect(report.lines).toEqual([
      `disagreement: ${EXAMPLE}, case 2: x86_64 nr=110 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ALLOW -> runs; vm:a: errno 1`,
      `disagreement: ${EXAMPLE}, case 1: x86_64 nr=39 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ERRNO(1) -> errno 1; vm:b: killed by SIGSYS (process)`,
      `disagreement: ${EXAMPLE}, case 2: x86_64 nr=110 args=[0x0,0x0,0x0,0x0,0x0,0x0] ip=0x0: emulator: ALLOW -> runs; vm:b: killed by SIGSYS (process)`,
      'vm:a: 2 cases: 1 agree, 1 disagree, 0 skipped',
      'vm:b: 2 cases: 0 agree, 2 disagree, 0 skipped',
    ]);
  });

  it('eval: one engine that is not the kernel has the fields of both, its name in text and report', () => {
    const l = loaded();
    const ev = evaluateOnEngines(l.format, selectPrograms(l, undefined), readCases(EXAMPLE_CASES).slice(0, 1), [crafted('vm:a', { kind: 'errno', errno: 1 })], { withEmulator: true });
    expect(enginesRecord(ev, 0)).toEqual({ action: 'ERRNO', data: 1, raw: '0x00050001', outcome: { kind: 'errno', errno: 1 }, kernel: 'agree' });
    expect(formatEnginesLine(ev, 0)).toMatch(/; vm:a: errno 1 \(agree\)$/);
    expect(enginesReport(EXAMPLE, ev).lines).toEqual(['vm:a: 1 case: 1 agree, 0 disagree, 0 skipped']);
    const alone = evaluateOnEngines(l.format, selectPrograms(l, undefined), readCases(EXAMPLE_CASES).slice(0, 1), [crafted('vm:a', { kind: 'errno', errno: 1 })], { withEmulator: false });
    expect(alone.mode).toBe('kernel');
    expect(enginesRecord(alone, 0)).toEqual({ action: 'ERRNO', data: 1, raw: '0x00050001', outcome: { kind: 'errno', errno: 1 } });
    expect(enginesReport(EXAMPLE, alone).lines).toEqual(['vm:a: 1 case: 1 run, 0 skipped']);
  });

  it('check: the same shapes', () => {
    const ev = checkOnEngines([EXAMPLE], [crafted('vm:a', { kind: 'timeout' }), crafted('vm:b', { kind: 'timeout' }, false)], true, {});
    expect(enginesCheckRecord(ev, 0, 0)).toEqual({
      file: EXAMPLE, accepted: true, errno: null, insn: null, reason: null, outcome: { accepted: true, errno: null }, kernel: 'disagree',
      engines: { 'vm:a': { outcome: { accepted: true, errno: null }, verdict: 'agree' }, 'vm:b': { outcome: { accepted: false, errno: 'EINVAL' }, verdict: 'disagree' } },
    });
    expect(formatEnginesCheck(ev, 0, 0)).toBe(`${EXAMPLE}: accepted (8 instructions, eBPF length 15); vm:a: accepted (agree); vm:b: rejected: EINVAL (disagree)`);
    const report = enginesCheckReport(ev, (k) => ev.runs[k].inputs.flatMap((i) => i.results));
    expect(report).toEqual({
      lines: [`disagreement: ${EXAMPLE}: emulator: accepted; vm:b: rejected: EINVAL`, 'vm:a: 1 filter: 1 agree, 0 disagree, 0 skipped', 'vm:b: 1 filter: 0 agree, 1 disagree, 0 skipped'],
      disagreements: 1, kernelRejected: 1,
    });
  });
});
