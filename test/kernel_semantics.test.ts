// SEMANTICS.md §6.2, the [V] rows about evaluation that a guarded probe can
// show (35-57, and 60: the uretprobe/uprobe bypass), run through the kernel
// engine (a real syscall in a forked child, on this kernel) AND the emulator
// engine; both must equal the row's stated result. The §6.1 checker rows
// that Engine.check can show, likewise. The rows live in
// __test-helpers__/semantics_rows.ts (shared with test/vm and
// test/containers). Fails, with the reason, when the kernel engine is
// unavailable.
import { beforeAll, describe, expect, it } from 'vitest';
import { actionValue, BPF_STMT, OP, SECCOMP_RET_ALLOW, type Insn } from 'unicorn-bpf-emulator';
import { compareCheckSteps, compareOutcomes } from '../src/engines/compare.js';
import { emulator } from '../src/engines/emulator.js';
import { kernel } from '../src/engines/kernel.js';
import { caseOf, requireKernelEngineForTests } from './__test-helpers__/engines.js';
import { allowed, bypassRows, checkSummary, errno, SEMANTICS_CHECK_ROWS, semanticsRunRows, type Row } from './__test-helpers__/semantics_rows.js';

const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);
const RET_A = BPF_STMT(OP.RET_A, 0);
const ERRNO = (e: number): number => actionValue('ERRNO', e);
const LD_IMM = (k: number): Insn => BPF_STMT(OP.LD_IMM, k >>> 0);
const GETPID = caseOf('x86_64', 39);

// The rows, shared with the VM and container suites (SEMANTICS as written: x86_64).
const ROWS: Readonly<Record<string, readonly Row[]>> = semanticsRunRows();

beforeAll(() => {
  requireKernelEngineForTests();
});

function expectRow(r: Row): void {
  const opts = { threads: r.threads ?? 'single', execute: r.execute ?? false } as const;
  const [onEmulator] = emulator.run(r.stack, [r.case], opts);
  const [onKernel] = kernel.run(r.stack, [r.case], opts);
  if (r.want.kind === 'allowed') expect(onKernel.kind === 'allowed' || onKernel.kind === 'executed', `kernel engine: ${JSON.stringify(onKernel, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`).toBe(true);
  else expect(onKernel, 'kernel engine').toEqual(r.want);
  expect(onEmulator, 'emulator engine').toEqual(r.want);
  expect(compareOutcomes(onEmulator, onKernel)).toEqual({ verdict: 'agree' });
}

describe('SEMANTICS §6.2 on the kernel engine and the emulator', () => {
  for (const [row, rows] of Object.entries(ROWS)) {
    describe(`#${row}`, () => {
      for (const r of rows) it(r.title, () => expectRow(r));
    });
  }
  describe('#60 the neighbours of uretprobe/uprobe are filtered', () => {
    for (const r of bypassRows()) it(r.title, () => expectRow(r));
  });
});

describe('#60 uretprobe/uprobe on x86_64: the emulator emulates the running kernel; the probe does not make them', () => {
  const { major, minor } = emulator.kernel;
  const since = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  const deny = [RET(ERRNO(5))];
  for (const [nr, name, from] of [[335, 'uretprobe', [6, 14]], [336, 'uprobe', [6, 18]]] as const) {
    it(`${nr} (${name}) on ${major}.${minor}: ${since(from[0], from[1]) ? 'skips every filter' : 'filtered'} on the emulator; skipped by the kernel engine`, () => {
      expect(emulator.run([deny], [caseOf('x86_64', nr)])[0]).toEqual(since(from[0], from[1]) ? allowed : errno(5));
      const [onKernel] = kernel.run([deny], [caseOf('x86_64', nr), caseOf('x32', nr)]);
      expect(onKernel).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(name) as string });
      // An "x32" case without the x32 bit is the same seccomp_data: skipped the same way.
      expect(kernel.run([deny], [caseOf('x32', nr)])[0]).toEqual(onKernel);
    });
  }
});

describe('#47 without running the syscall, an unknown action weaker than TRACE cannot be told from ALLOW', () => {
  it('the kernel engine skips such cases, with the reason; a real run of a safe getter resolves them (above)', () => {
    for (const stack of [[[RET(0x7ffe0000)]], [[LD_IMM(0x7fff0000), RET_A]]]) {
      const [onKernel] = kernel.run(stack, [GETPID]);
      expect(onKernel).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/weaker than TRACE/) as string });
      expect(compareOutcomes(emulator.run(stack, [GETPID])[0], onKernel).verdict).toBe('skipped');
    }
    // A stack that cannot return such a value is compared: ALLOW is allowed.
    expect(kernel.run([[RET(SECCOMP_RET_ALLOW)]], [GETPID])[0]).toEqual(allowed);
  });
});

describe('SEMANTICS §6.1 checker rows on the kernel engine and the emulator', () => {
  for (const r of SEMANTICS_CHECK_ROWS) {
    it(r.title, () => {
      const onKernel = kernel.check(r.stack, r.flags);
      const onEmulator = emulator.check(r.stack, r.flags);
      expect(checkSummary(onKernel), 'kernel engine').toEqual(r.want);
      expect(checkSummary(onEmulator), 'emulator engine').toEqual(r.want);
      const n = Math.max(onKernel.length, onEmulator.length);
      expect(Array.from({ length: n }, (_, i) => compareCheckSteps(onEmulator[i], onKernel[i]).verdict).filter((v) => v !== 'agree')).toEqual([]);
    });
  }
});
