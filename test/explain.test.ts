// seccheck explain against ground truth: the corpus's filters and cases
// (libseccomp's regression suite, Docker's default profile), the cellos
// baseline denylist built here from the seed's algorithm, and the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archByName, assemble, BPF_JUMP, BPF_STMT, compileFilter, decodeAction, encodeProgram, OP, seccompData, seccompDataWords,
  SECCOMP_DATA_WORDS, type ArchInfo, type Insn,
} from 'unicorn-bpf-emulator';
import { loadCorpusFilters, requireCorpus, type CorpusCase } from '../emulator/src/__test-helpers__/corpus.js';
import { syscallNumber } from '../src/arch/syscalls.js';
import { explainProgram, syscallTable, type Explanation, type Finding } from '../src/explain/explain.js';
import { explanationRecord } from '../src/explain/format.js';
import { explorePaths, pathHolds, pathReturn } from '../src/explain/symbolic.js';
import { ensureBuilt, expectOneLineError, lines, runCli, runMain } from './__test-helpers__/cli.js';

const FILTERS = loadCorpusFilters();

const caseWords = (c: CorpusCase, arch: ArchInfo): Uint32Array =>
  seccompDataWords(seccompData(c.nr, arch.auditArch, c.args.map((a) => BigInt(a)), BigInt(c.ip)), arch.endian);

describe('explain against the corpus', () => {
  it('finds the 24 libseccomp and 4 Docker filters', () => {
    expect(FILTERS.length).toBe(28);
  });

  it.each(FILTERS.map((f) => [f.name, f] as const))('%s: each case (and fuzz input) takes exactly one path, which returns its raw', (_, f) => {
    const groups = new Map<string, CorpusCase[]>();
    for (const c of [...f.cases, ...f.fuzz]) {
      const key = `${c.arch}:${c.nr}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const compiled = compileFilter(f.program);
    let checked = 0;
    for (const cases of groups.values()) {
      const arch = archByName(cases[0].arch)!;
      const concrete = new Array<number | undefined>(SECCOMP_DATA_WORDS).fill(undefined);
      concrete[0] = cases[0].nr >>> 0;
      concrete[1] = arch.auditArch;
      const ex = explorePaths(f.program, { concrete, budget: 1_000_000 });
      expect(ex.complete).toBe(true);
      for (const c of cases) {
        const words = caseWords(c, arch);
        const taken = ex.paths.filter((p) => pathHolds(p, words));
        expect(taken).toHaveLength(1);
        // cases.jsonl carries the filter's own value; fuzz.jsonl's is libseccomp's simulator, so use the emulator there.
        const truth = f.cases.includes(c) ? Number(c.raw) >>> 0 : compiled(words) >>> 0;
        expect({ case: c, ret: pathReturn(taken[0], words) }).toEqual({ case: c, ret: truth });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  // Cases compared through a single-action verdict, per filter (some filters' cases all hit arg-dependent syscalls or numbers in no table).
  const compared = new Map<string, number>();
  afterAll(() => {
    // Ran on their own (-t), the per-filter tests leave this empty.
    if (compared.size === FILTERS.length) expect([...compared.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(5_000);
  });

  it.each(FILTERS.map((f) => [f.name, f] as const))('%s: where explain gives one action for a syscall, the cases agree', (_, f) => {
    const arches = [...new Set(f.cases.map((c) => c.arch))].map((a) => archByName(a)!).filter((a) => syscallTable(a) !== undefined);
    let n = 0;
    for (const arch of arches) {
      const e = explainProgram(f.program, arch);
      expect(e.selfCheck.failures).toEqual([]);
      const byNr = new Map(e.syscalls.map((s) => [s.nr >>> 0, s.verdict]));
      for (const c of f.cases.filter((x) => x.arch === arch.name)) {
        const v = byNr.get(c.nr >>> 0);
        if (v?.kind !== 'action') continue;
        const raw = Number(c.raw) >>> 0;
        expect({ case: c, kind: decodeAction(v.raw!).kind, raw: v.raw }).toEqual({ case: c, kind: decodeAction(raw).kind, raw });
        n++;
      }
    }
    compared.set(f.name, n);
  });

  it('Docker x86_64: exact arg conditions for socket, clone and personality; no incomplete query; under 10 s', () => {
    const f = FILTERS.find((x) => x.name === 'docker-moby/x86_64/libseccomp-2.5.4-debian')!;
    const t = performance.now();
    const e = explainProgram(f.program, archByName('x86_64')!);
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(e.stats.incomplete).toBe(0);
    const depends = e.syscalls.filter((s) => s.verdict.kind !== 'action');
    expect(depends.map((s) => s.name)).toEqual(['socket', 'clone', 'personality']);
    const clone = depends[1].verdict as Extract<typeof depends[1]['verdict'], { kind: 'depends' }>;
    expect(clone.entries.map((x) => [x.conditions, x.action])).toEqual([
      [['(args[0] & 0x7e020000) == 0'], 'ALLOW'],
      [['(args[0] & 0x7e020000) != 0'], 'ERRNO(1)'],
    ]);
    expect(e.foreign.verdict).toMatchObject({ kind: 'action', action: 'KILL_THREAD' });
    // Docker handles x32 and i386 itself: no bypass findings.
    expect(e.findings.filter((x) => x.kind !== 'sibling')).toEqual([]);
  });
});

// ---------------------------------------------------------------- cellos

/** baseline_blocked_syscalls() of cellos-supervisor 0.5.1 (seed), in its order. */
const CELLOS_BLOCKED = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'bpf', 'perf_event_open', 'keyctl', 'add_key', 'request_key',
  'mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'init_module', 'finit_module', 'delete_module', 'kexec_load',
];

/** baseline_seccomp_program(), built from the seed's algorithm: arch check (KILL_PROCESS), then `jeq nr, 0, 1; ret ERRNO(EPERM)` per syscall, ret ALLOW. */
function cellosBaseline(arch: ArchInfo): Insn[] {
  const p = [BPF_STMT(OP.LD_W_ABS, 4), BPF_JUMP(OP.JMP_JEQ_K, arch.auditArch, 1, 0), BPF_STMT(OP.RET_K, 0x80000000), BPF_STMT(OP.LD_W_ABS, 0)];
  for (const name of CELLOS_BLOCKED) {
    p.push(BPF_JUMP(OP.JMP_JEQ_K, syscallNumber(arch.name, name)!, 0, 1));
    p.push(BPF_STMT(OP.RET_K, 0x00050001));
  }
  p.push(BPF_STMT(OP.RET_K, 0x7fff0000));
  return p;
}

/** Every finding's witness runs through the compiled filter to the action the finding says (ALLOW). */
function expectFindingWitnesses(program: Insn[], arch: ArchInfo, findings: readonly Finding[]): void {
  const run = compileFilter(program);
  for (const f of findings) {
    expect(f.witness.verified).toBe(true);
    expect(decodeAction(run(seccompDataWords(f.witness.data, arch.endian))).kind).toBe('ALLOW');
  }
}

describe('explain: the cellos baseline denylist', () => {
  const X86_64 = archByName('x86_64')!;
  const AARCH64 = archByName('aarch64')!;
  let e: Explanation;
  beforeAll(() => {
    e = explainProgram(cellosBaseline(X86_64), X86_64);
  });

  it('x86_64: the 17 syscalls get ERRNO(1), the rest ALLOW; foreign arches and i386 KILL_PROCESS; x32 ALLOW', () => {
    const denied = e.syscalls.filter((s) => s.verdict.kind === 'action' && s.verdict.action === 'ERRNO(1)').map((s) => s.name);
    expect(denied.sort()).toEqual([...CELLOS_BLOCKED].sort());
    expect(e.syscalls.every((s) => s.verdict.kind === 'action')).toBe(true);
    expect(e.foreign.verdict).toMatchObject({ kind: 'action', action: 'KILL_PROCESS' });
    expect(e.compat!.syscalls.every((s) => s.verdict.kind === 'action' && s.verdict.action === 'KILL_PROCESS')).toBe(true);
    expect(e.x32!.syscalls.every((s) => s.verdict.kind === 'action' && s.verdict.action === 'ALLOW')).toBe(true);
  });

  it('x86_64 findings: x32 numbers of all 17, the new mount API, kexec_file_load, clone with CLONE_NEW*, clone3, pidfd_getfd', () => {
    const by = (kind: string): string[] => e.findings.filter((f) => f.kind === kind).map((f) => f.syscall);
    expect(by('x32-bypass').sort()).toEqual([...CELLOS_BLOCKED].sort());
    expect(by('sibling')).toEqual([
      'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr', 'kexec_file_load', 'pidfd_getfd', 'clone', 'clone3',
    ]);
    expect(by('i386-bypass')).toEqual([]);
    const clone = e.findings.find((f) => f.syscall === 'clone')!;
    expect(clone.detail).toContain('CLONE_NEWUSER');
    expect(clone.detail).toContain('CLONE_NEWNS');
    expect(clone.witness.data.args[0] & 0x7e020000n).not.toBe(0n);
    expect(e.findings.find((f) => f.syscall === 'fsmount')!.detail).toBe(
      'mount (ERRNO(1)) denied, but fsmount gets ALLOW; it mounts a filesystem (the new mount API needs no mount(2))',
    );
    expect(e.findings.find((f) => f.kind === 'x32-bypass' && f.syscall === 'unshare')!.witness.data.nr >>> 0).toBe(syscallNumber('x32', 'unshare'));
    expectFindingWitnesses(cellosBaseline(X86_64), X86_64, e.findings);
  });

  it('aarch64: no x32; the same sibling findings; arm callers (AUDIT_ARCH_ARM) are killed by the arch check', () => {
    const p = cellosBaseline(AARCH64);
    const a = explainProgram(p, AARCH64);
    expect(a.x32).toBeUndefined();
    expect(a.findings.filter((f) => f.kind !== 'sibling')).toEqual([]);
    expect(a.findings.map((f) => f.syscall)).toEqual(expect.arrayContaining(['fsopen', 'fsmount', 'move_mount', 'kexec_file_load', 'clone', 'clone3']));
    if (a.compat) expect(a.compat.syscalls.every((s) => s.verdict.kind === 'action' && s.verdict.action === 'KILL_PROCESS')).toBe(true);
    expectFindingWitnesses(p, AARCH64, a.findings);
  });

  it('seccheck explain --format cellos gives the same JSON as the program built here', async () => {
    const r = await runMain(['explain', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=baseline', '--arch', 'x86_64', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(explanationRecord(e))));
  });
});

// ---------------------------------------------------------------- CLI

describe('seccheck explain (CLI)', () => {
  let dir: string;
  const file = (name: string, program: Insn[]): string => {
    const f = join(dir, name);
    writeFileSync(f, encodeProgram(program));
    return f;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seccheck-explain-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('text: header naming the file and arch, one line per syscall, findings last; exit 0', async () => {
    const f = file('deny-getpid.bpf', assemble('ld [4]\njeq #AUDIT_ARCH_X86_64, ok, kill\nok: ld [0]\njeq #39, deny, allow\ndeny: ret ERRNO(1)\nallow: ret ALLOW\nkill: ret KILL_PROCESS'));
    const r = await runMain(['explain', f]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(`${f}: 7 instructions; 362 x86_64 syscalls (AUDIT_ARCH_X86_64): ERRNO(1) 1, ALLOW 361`);
    expect(out[1]).toBe('  getpid (39): ERRNO(1)');
    expect(out).toContain('foreign arch (not AUDIT_ARCH_X86_64): KILL_PROCESS');
    expect(out).toContain('findings (1):');
  });

  it('--json: one document; the arch comes from the filter\'s arch check (aarch64 here), or --arch', async () => {
    const f = file('arm64.bpf', assemble('ld [4]\njeq #AUDIT_ARCH_AARCH64, ok, kill\nok: ret ALLOW\nkill: ret KILL_PROCESS'));
    const r = await runMain(['explain', f, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.arch).toBe('aarch64');
    expect(doc.thread).toBe(null);
    expect(doc.x32).toBeUndefined();
    expect(doc.foreign_arch).toEqual({ excluded: ['AUDIT_ARCH_AARCH64'], action: 'KILL_PROCESS' });
    const forced = JSON.parse((await runMain(['explain', f, '--json', '--arch', 'x86_64'])).stdout);
    expect(forced.arch).toBe('x86_64');
    expect(forced.syscalls[0]).toEqual({ name: 'read', nr: 0, action: 'KILL_PROCESS' });
  });

  it('thread maps: --thread picks one; without it, a one-line error naming the threads', async () => {
    const fc = join(requireCorpus(), 'policies', 'firecracker', 'x86_64-unknown-linux-musl.json');
    expectOneLineError(await runMain(['explain', fc]), /3 programs \(threads api, vcpu, vmm\); pick one with --thread/, { emptyStdout: true });
    const r = await runMain(['explain', fc, '--thread', 'vcpu', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.thread).toBe('vcpu');
    expect(doc.syscalls.find((s: { name: string }) => s.name === 'futex').depends.map((d: { conditions: string[] }) => d.conditions)).toEqual([
      ['(args[1] & 0xffffffff) in {0, 1, 0x80, 0x81, 0x89}'],
      ['(args[1] & 0xffffffff) not in {0, 1, 0x80, 0x81, 0x89}'],
    ]);
  });

  it('bad input: one line on stderr, exit 2', async () => {
    const good = file('ok.bpf', [BPF_STMT(OP.RET_K, 0x7fff0000)]);
    expectOneLineError(await runMain(['explain', join(dir, 'missing.bpf')]), /missing\.bpf: no such file/, { emptyStdout: true });
    expectOneLineError(await runMain(['explain', file('bad.bpf', [BPF_STMT(OP.LD_W_ABS, 0)])]), /bad\.bpf: rejected: EINVAL/, { emptyStdout: true });
    expectOneLineError(await runMain(['explain', good, '--arch', 'vax']), /unknown arch "vax"/, { emptyStdout: true });
    expectOneLineError(await runMain(['explain', good, '--arch', 'loongarch64']), /--arch: no syscall table for loongarch64/, { emptyStdout: true });
    expectOneLineError(await runMain(['explain', good, '--budget', 'lots']), /--budget: "lots" is not a positive whole number/, { emptyStdout: true });
    writeFileSync(join(dir, 'odd.bpf'), new Uint8Array(12));
    expectOneLineError(await runMain(['explain', join(dir, 'odd.bpf'), '--format', 'raw']), /odd\.bpf/, { emptyStdout: true });
  });

  it('every witness of explain --json is a case line that seccheck eval --cases runs to the same raw', async () => {
    const docker = join(requireCorpus(), 'compiled', 'docker-moby', 'x86_64', 'libseccomp-2.5.4-debian', 'filter.bpf');
    const noArch = file('no-arch.bpf', assemble('ld [0]\njeq #39, deny, allow\ndeny: ret ERRNO(1)\nallow: ret ALLOW'));
    for (const filter of [docker, noArch]) {
      const doc = JSON.parse((await runMain(['explain', filter, '--json'])).stdout);
      const witnesses: { raw: string }[] = [
        ...doc.syscalls.flatMap((s: { depends?: { witness: { raw: string } }[] }) => (s.depends ?? []).map((d) => d.witness)),
        ...(doc.foreign_arch.depends ?? []).map((d: { witness: unknown }) => d.witness),
        ...doc.findings.map((f: { witness: unknown }) => f.witness),
      ];
      expect(witnesses.length).toBeGreaterThan(1);
      const cases = join(dir, 'witnesses.jsonl');
      writeFileSync(cases, witnesses.map((w) => JSON.stringify(w)).join('\n') + '\n');
      const r = await runMain(['eval', filter, '--cases', cases, '--json', '--kernel', '6.1']);
      expect(r.code).toBe(0);
      expect(lines(r.stdout).map((l) => JSON.parse(l).raw)).toEqual(witnesses.map((w) => w.raw));
    }
  });

  it('a path explosion, through the real process with default budgets: "too many paths (analysis incomplete)", not a hang', () => {
    ensureBuilt();
    const src = ['ld [0]', 'jeq #100000, x, x', 'x:'];
    for (let i = 0; i < 40; i++) src.push(`ld [${16 + 4 * (i % 12)}]`, `jset #${1 << i % 32}, n${i}, n${i}`, `n${i}:`);
    src.push('ret ALLOW');
    const f = file('explode.bpf', assemble(src.join('\n')));
    const t = performance.now();
    const r = runCli(['explain', f]);
    expect(performance.now() - t).toBeLessThan(60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('read (0): too many paths (analysis incomplete):');
  });
});
