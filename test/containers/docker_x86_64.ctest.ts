// container:x86_64: the static probe in an image FROM scratch, run by
// testcontainers. The corpus's Docker x86_64 filters (all three x86 ABIs)
// in one container per seccomp mode:
// - seccomp=unconfined: the filter alone decides; every answer equals the
//   emulator's for [filter] (zero disagreements);
// - Docker's default profile: the filter stacks on the daemon's own, as in
//   production. The daemon's profile is measured in the same container
//   (the stack [ALLOW] shows what Docker's filter alone does to each case),
//   and every answer for [filter] must be what the kernel's precedence makes
//   of that and the emulator's answer for [filter] (zero disagreements).
//   Compared with the emulator for [Docker's default as the corpus compiles
//   it (libseccomp 2.5.4), filter], the only disagreements are the cases
//   where the daemon's own profile is not the corpus's (this daemon's
//   version; runc's ENOSYS for syscalls newer than its profile); they are
//   counted and listed by syscall.
// Fails, with the reason, when Docker does not answer and CI=true
// (npm run setup:docker starts one); without CI it is skipped with the reason.
// The default-profile block needs a probe with `run outer=1` (SC_RUN_OUTER):
// without it the probe refuses to run below a filter (EALREADY) and the
// block fails with that one line. SECCHECK_CONTAINER_PROBE=PATH puts
// another static probe build in the image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionValue, archByName, BPF_STMT, decodeProgram, OP, SECCOMP_RET_ALLOW, type Program } from 'unicorn-bpf-emulator';
import { containerEngine, dockerAvailability, ensureProbeImage, removeImages, runBoth, type ContainerEngine } from '../../containers/docker/engine.js';
import { CORPUS_DIR, loadCorpusFilters, requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import { compareOutcomes, countComparisons, formatComparisonCounts } from '../../src/engines/compare.js';
import { emulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCase, EngineOutcome } from '../../src/engines/engine.js';
import { formatEngineOutcome } from '../../src/engines/format.js';
import { kernelAbi } from '../../src/engines/kernel_skip.js';
import { formatCaseData } from '../../src/evaluate.js';
import { parseCase, type Case } from '../../src/formats/cases.js';

const docker = dockerAvailability();
if (!docker.ok && process.env.CI === 'true') throw new Error(`container:x86_64 suites need Docker in CI: ${docker.reason}`);
if (!docker.ok) console.warn(`container:x86_64 suites skipped: ${docker.reason}`);

const probe = process.env.SECCHECK_CONTAINER_PROBE || undefined;
const at = (arch: string, nr: number): EngineCase => ({ arch: archByName(arch)!, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n });
const TRAP: Program = [BPF_STMT(OP.RET_K, actionValue('TRAP', 7))];
const ALLOW: Program = [BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
const ROWS: { title: string; c: EngineCase; want: EngineOutcome }[] = [
  { title: 'x86_64 getpid traps with AUDIT_ARCH_X86_64', c: at('x86_64', 39), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 39, si_arch: 0xc000003e } },
  { title: 'i386 getpid (int $0x80) traps with AUDIT_ARCH_I386', c: at('x86', 20), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 20, si_arch: 0x40000003 } },
  { title: 'x32 getpid reaches the filter with the x32 bit', c: at('x32', 0x40000000 + 39), want: { kind: 'trap', signal: 31, si_errno: 7, si_syscall: 0x40000000 + 39, si_arch: 0xc000003e } },
];

requireCorpus();
const DOCKER = loadCorpusFilters().filter((f) => f.name.startsWith('docker-moby/x86_64/'));
const dockerCases: Case[][] = DOCKER.map((f) => [...f.cases.map((c, i) => parseCase(c, i + 1, `${f.dir}/cases.jsonl`)), ...f.fuzz.map((c, i) => parseCase(c, i + 1, `${f.dir}/fuzz.jsonl`))]);
// Docker's own profile as runc on Debian 12 compiles it (libseccomp 2.5.4).
const DOCKER_DEFAULT = decodeProgram(new Uint8Array(readFileSync(join(CORPUS_DIR, 'compiled/docker-moby/x86_64/libseccomp-2.5.4-debian/filter.bpf'))), 'little');

const emu = emulatorEngine();
const report: string[] = [];
const results: Partial<Record<'unconfined' | 'default', EngineOutcome[][]>> = {};
const engines: Partial<Record<'unconfined' | 'default', ContainerEngine>> = {};

afterAll(() => {
  if (report.length) console.log(report.join('\n'));
});

/** One container: the three ABI rows, every Docker filter on its cases, then [ALLOW] on the same cases (Docker's profile alone). */
function runAll(seccomp: 'unconfined' | 'default'): void {
  const e = containerEngine('x86_64', { seccomp, probe });
  engines[seccomp] = e;
  results[seccomp] = e.runMany([
    { stack: [TRAP], cases: ROWS.map((r) => r.c) },
    ...DOCKER.map((f, i) => ({ stack: [f.program], cases: dockerCases[i] })),
    ...DOCKER.map((_, i) => ({ stack: [ALLOW], cases: dockerCases[i] })),
  ]);
  const s = e.lastRun!;
  report.push(
    `container:x86_64 seccomp=${seccomp}: one container, ${s.probes} probes: start to result ${s.wallMs.toFixed(0)} ms, ` +
      `probe inside ${s.insideMs.toFixed(1)} ms = ${(s.probes / (s.insideMs / 1000)).toFixed(0)} probes/s`,
  );
}

const disagreements = (cases: readonly Case[], want: readonly EngineOutcome[], got: readonly EngineOutcome[], label: string): string[] =>
  cases.flatMap((c, i) =>
    compareOutcomes(want[i], got[i]).verdict === 'disagree' ? [`${c.line}: ${formatCaseData(c)}: ${label} ${formatEngineOutcome(want[i])}, container ${formatEngineOutcome(got[i])}`] : [],
  );

// Skipped only: other arches' cases (aarch64, arm), and native uretprobe/uprobe (335/336), which the probe never makes.
const wronglySkipped = (cases: readonly Case[], got: readonly EngineOutcome[]): string[] =>
  cases.flatMap((c, i) => {
    const o = got[i];
    return o.kind === 'skipped' && kernelAbi(c.arch.name, 'x64') !== undefined && !/uretprobe|uprobe/.test(o.reason) ? [`${formatCaseData(c)}: ${o.reason}`] : [];
  });

/**
 * Strength of an outcome's action, as seccomp_run_filters orders them
 * (KILL_PROCESS strongest, ALLOW/LOG weakest); null for non-outcomes.
 */
function strength(o: EngineOutcome): number | null {
  switch (o.kind) {
    case 'killed':
      return o.scope === 'process' ? 0 : 1;
    case 'trap':
      return 2;
    case 'errno':
      return 3;
    case 'enosys':
      return o.action === 'USER_NOTIF' ? 4 : 5;
    case 'traced':
      return 5;
    case 'allowed':
    case 'executed':
      return 6;
    default:
      return null;
  }
}

/** What the kernel makes of [outer, filter]: the stronger action; on a tie the newer filter's (the filter under test). */
function stacked(outer: EngineOutcome, filter: EngineOutcome): EngineOutcome {
  const a = strength(outer);
  const b = strength(filter);
  if (a === null) return outer;
  if (b === null) return filter;
  return b <= a ? filter : outer;
}

/** Our containers (label org.seccheck.probe) that Docker still has, in any state. */
const ourContainers = (): string[] => execFileSync('docker', ['ps', '-aq', '--filter', 'label=org.seccheck.probe'], { encoding: 'utf8' }).split('\n').filter(Boolean);

const syscallList = (cases: readonly Case[], idx: readonly number[]): string =>
  [...new Set(idx.map((i) => `${cases[i].arch.name}:${cases[i].nr & ~0x40000000}`))].join(' ');

describe('container:aarch64 on this host', () => {
  it.runIf(process.arch === 'x64')('refuses in one line: qemu-user has no seccomp; points to vm:aarch64 or a native arm64 runner', () => {
    const e = containerEngine('aarch64');
    expect(e.name).toBe('container:aarch64');
    let message = '';
    try {
      e.run([TRAP], [at('aarch64', 172)]);
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toMatch(/^container:aarch64: /);
    expect(message).not.toContain('\n');
    for (const part of ['qemu-user', 'PR_SET_SECCOMP', 'EINVAL', 'ENOSYS', 'vm:aarch64', 'native arm64']) expect(message).toContain(part);
    expect(() => e.check([TRAP])).toThrow(/qemu-user/);
  });
});

describe.skipIf(!docker.ok)('container:x86_64 (testcontainers, image FROM scratch with the static probe)', () => {
  beforeAll(() => {
    const first = ensureProbeImage('x86_64', process.stderr, probe);
    report.push(`container:x86_64 image ${first.tag}: ${first.buildMs === null ? 'cached' : `built in ${first.buildMs.toFixed(0)} ms`}`);
  });

  it('reuses the cached image (keyed by the probe hash)', () => {
    const again = ensureProbeImage('x86_64', null, probe);
    expect(again.buildMs).toBeNull();
    expect(again.tag).toMatch(/^seccheck-probe:x86_64-[0-9a-f]{16}$/);
  });

  it('check: loads a stack in a fresh task, as the kernel engine does', () => {
    const e = containerEngine('x86_64', { probe });
    expect(e.check([ALLOW, TRAP])).toEqual([
      { index: 0, ok: true, ret: 0, errno: null },
      { index: 1, ok: true, ret: 0, errno: null },
    ]);
    // The first filter sees the seccomp() call that installs the second, and traps it.
    expect(e.check([TRAP, ALLOW])).toEqual([
      { index: 0, ok: true, ret: 0, errno: null },
      { index: 1, ok: false, ret: -1, errno: null, signal: 31 },
    ]);
    expect(e.check([[BPF_STMT(OP.LD_W_ABS, 1), BPF_STMT(OP.RET_K, 0)]])).toEqual([{ index: 0, ok: false, ret: -1, errno: 'EINVAL' }]);
  });

  it('kills and removes a container at its deadline, with a one-line error', () => {
    const e = containerEngine('x86_64', { probe, deadlineMs: 1000 });
    // 200k cases that each kill their probe child take far longer than a second.
    const kill: Program = [BPF_STMT(OP.RET_K, actionValue('KILL_PROCESS'))];
    const many = Array.from({ length: 200_000 }, (_, i) => at('x86_64', i % 400));
    expect(() => e.run([kill], many)).toThrow(/^container:x86_64: no result within 1000 ms; container [0-9a-f]{12} killed and removed$/);
    expect(ourContainers()).toEqual([]);
  });

  describe('seccomp=unconfined: the filter alone, against the emulator for [filter]', () => {
    beforeAll(() => runAll('unconfined'));

    ROWS.forEach((r, i) => {
      it(r.title, () => {
        expect(results.unconfined![0][i]).toEqual(r.want);
      });
    });

    DOCKER.forEach((f, j) => {
      it(`${f.name}: zero disagreements`, () => {
        const cases = dockerCases[j];
        const got = results.unconfined![1 + j];
        const want = emu.run([f.program], cases);
        report.push(`container:x86_64 unconfined ${f.name}: ${formatComparisonCounts(countComparisons(cases.map((_, i) => compareOutcomes(want[i], got[i]))), 'case')}`);
        expect(disagreements(cases, want, got, 'emulator')).toEqual([]);
        expect(wronglySkipped(cases, got)).toEqual([]);
      });
    });
  });

  describe("Docker's default profile: the filter stacked on Docker's, against the emulator for [Docker's default, filter]", () => {
    beforeAll(() => runAll('default'));

    ROWS.forEach((r, i) => {
      it(`${r.title} (TRAP beats Docker's ERRNO and ALLOW)`, () => {
        expect(results.default![0][i]).toEqual(r.want);
      });
    });

    it("runBoth: mount(2) under [ALLOW] runs unconfined and gets Docker's EPERM under its profile", () => {
      const both = runBoth([ALLOW], [at('x86_64', 165), at('x86_64', 39)], undefined, 'x86_64', { probe });
      expect(both.unconfined).toEqual([{ kind: 'allowed', logged: false }, { kind: 'allowed', logged: false }]);
      expect(both.default).toEqual([{ kind: 'errno', errno: 1 }, { kind: 'allowed', logged: false }]);
    });

    DOCKER.forEach((f, j) => {
      it(`${f.name}: zero disagreements with [Docker's profile as measured, filter]`, () => {
        const cases = dockerCases[j];
        const got = results.default![1 + j];
        const dockerAlone = results.default![1 + DOCKER.length + j];
        const want = emu.run([f.program], cases).map((o, i) => stacked(dockerAlone[i], o));
        report.push(`container:x86_64 default ${f.name} vs [measured Docker profile, filter]: ${formatComparisonCounts(countComparisons(cases.map((_, i) => compareOutcomes(want[i], got[i]))), 'case')}`);
        expect(disagreements(cases, want, got, '[docker as measured, filter]')).toEqual([]);
        expect(wronglySkipped(cases, got)).toEqual([]);
      });

      it(`${f.name}: against the emulator for [the corpus's Docker default, filter], only where the daemon's profile differs`, () => {
        const cases = dockerCases[j];
        const got = results.default![1 + j];
        const dockerAlone = results.default![1 + DOCKER.length + j];
        const want = emu.run([DOCKER_DEFAULT, f.program], cases);
        const corpusDockerAlone = emu.run([DOCKER_DEFAULT], cases);
        const alone = emu.run([f.program], cases);
        const idx = (pred: (i: number) => boolean): number[] => cases.flatMap((_, i) => (pred(i) ? [i] : []));
        const disagree = idx((i) => compareOutcomes(want[i], got[i]).verdict === 'disagree');
        // Docker's profile decides first: the stack's answer is not the filter's alone.
        const decidedByDocker = idx((i) => compareOutcomes(alone[i], got[i]).verdict === 'disagree');
        const byOutcome = (list: number[]): string => {
          const groups = new Map<string, number[]>();
          for (const i of list) {
            const k = `corpus ${formatEngineOutcome(want[i])} / daemon ${formatEngineOutcome(got[i])}`;
            groups.set(k, [...(groups.get(k) ?? []), i]);
          }
          return [...groups].map(([k, v]) => `${k}: ${syscallList(cases, v)}`).join('; ');
        };
        report.push(
          `container:x86_64 default ${f.name} vs emulator [corpus docker default, filter]: ${formatComparisonCounts(countComparisons(cases.map((_, i) => compareOutcomes(want[i], got[i]))), 'case')}; ` +
            `Docker's own profile decides ${decidedByDocker.length} cases first (${syscallList(cases, decidedByDocker)})` +
            (disagree.length ? `; disagreements, all where the daemon's profile is not the corpus's: ${byOutcome(disagree)}` : ''),
        );
        // Every disagreement is the daemon's profile, not the probe: there Docker's filter alone already differs from the corpus's.
        expect(disagree.filter((i) => compareOutcomes(corpusDockerAlone[i], dockerAlone[i]).verdict !== 'disagree').map((i) => formatCaseData(cases[i]))).toEqual([]);
      });
    });
  });

  describe('cleanup', () => {
    it('removeImages removes our images and containers only, and the next use builds the image again', () => {
      // An image that is not ours (no org.seccheck.probe label), made here and removed here.
      const ctx = mkdtempSync(join(tmpdir(), 'seccheck-foreign-'));
      const foreign = `seccheck-foreign-test:${process.pid}`;
      try {
        writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /\n');
        execFileSync('docker', ['build', '-q', '-t', foreign, ctx], { stdio: 'ignore' });
        const removed = removeImages();
        expect(removed.images.every((t) => t.startsWith('seccheck-probe:'))).toBe(true);
        expect(removed.images.length).toBeGreaterThan(0);
        expect(execFileSync('docker', ['images', '-q', foreign], { encoding: 'utf8' }).trim()).not.toBe('');
        expect(execFileSync('docker', ['images', '-q', '--filter', 'label=org.seccheck.probe'], { encoding: 'utf8' }).trim()).toBe('');
        expect(ourContainers()).toEqual([]);
      } finally {
        execFileSync('docker', ['rmi', foreign], { stdio: 'ignore' });
        rmSync(ctx, { recursive: true, force: true });
      }
      // Leave the cache as the suite found it.
      expect(ensureProbeImage('x86_64', null, probe).buildMs).not.toBeNull();
    });
  });
});
