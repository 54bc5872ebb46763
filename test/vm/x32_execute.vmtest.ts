// x32 and i386 for real (issue 6, SEMANTICS §5.4 bypasses 1 and 2): a
// filter that denies getpid by its x86_64 number but forgets the x32 bit
// lets x32 getpid (0x40000027) through, and on vm:x86_64 (Debian's 6.1
// booted with syscall.x32=y) the call then EXECUTES: the probe's `execute`
// option runs it, unguarded, and it returns the pid. With the x32 guard
// (libseccomp's JGE #0x40000000) the same call is killed or denied. Likewise
// a filter without the arch check lets i386 getpid (int $0x80, eax = 20)
// run. The host kernel gets the same stacks: x32 getpid passes the filter
// there too and the kernel then says what it supports (ENOSYS when built
// or booted without x32: kernel-info "x32 system calls"). Only getpid ever
// executes (the probe's safe list). One boot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archByName, BPF_JUMP, BPF_STMT, OP, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, actionValue, type Insn, type Program } from 'unicorn-bpf-emulator';
import { vmEngine, type VmEngine } from '../../containers/vm/engine.js';
import { kernelFeatures } from '../../native/features.js';
import { compareOutcomes } from '../../src/engines/compare.js';
import { emulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCase, EngineJob, EngineOutcome } from '../../src/engines/engine.js';
import { kernel, kernelAvailability } from '../../src/engines/kernel.js';
import { resolveKernel } from '../../src/kernel.js';

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_BIT = 0x40000000;
const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k >>> 0);
const at = (arch: string, nr: number): EngineCase => ({ arch: archByName(arch)!, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n });
const X86_GETPID = at('x86_64', 39);
const X32_GETPID = at('x32', X32_BIT | 39);
const I386_GETPID = at('x86', 20);

const ARCH_CHECK: Insn[] = [BPF_STMT(OP.LD_W_ABS, 4), BPF_JUMP(OP.JMP_JEQ_K, AUDIT_ARCH_X86_64, 1, 0), RET(SECCOMP_RET_KILL_PROCESS)];
const DENY_GETPID: Insn[] = [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 39, 0, 1), RET(actionValue('ERRNO', 1)), RET(SECCOMP_RET_ALLOW)];
/** libseccomp's x32 guard: nr >= 0x40000000 is killed (the nr is already in A). */
const x32Guard = (action: number): Insn[] => [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JGE_K, X32_BIT, 0, 1), RET(action)];

/** The stacks, each with its cases and what must happen on vm:x86_64. */
const STACKS: { title: string; stack: Program[]; cases: { c: EngineCase; want: EngineOutcome['kind'] | 'executed-pid' }[] }[] = [
  {
    title: 'arch check, deny getpid (39), no x32 guard: x32 getpid slips past the deny and runs',
    stack: [[...ARCH_CHECK, ...DENY_GETPID]],
    cases: [{ c: X86_GETPID, want: 'errno' }, { c: X32_GETPID, want: 'executed-pid' }],
  },
  {
    title: 'the same with the x32 guard (KILL_PROCESS): x32 getpid is killed',
    stack: [[...ARCH_CHECK, ...x32Guard(SECCOMP_RET_KILL_PROCESS), ...DENY_GETPID]],
    cases: [{ c: X86_GETPID, want: 'errno' }, { c: X32_GETPID, want: 'killed' }],
  },
  {
    title: 'the same with the x32 guard (ERRNO(1)): x32 getpid is denied',
    stack: [[...ARCH_CHECK, ...x32Guard(actionValue('ERRNO', 1)), ...DENY_GETPID]],
    cases: [{ c: X32_GETPID, want: 'errno' }],
  },
  {
    title: 'deny getpid (39) without the arch check: i386 getpid (20, int $0x80) runs',
    stack: [DENY_GETPID],
    cases: [{ c: X86_GETPID, want: 'errno' }, { c: I386_GETPID, want: 'executed-pid' }],
  },
  {
    title: 'the same with the arch check: i386 getpid is killed',
    stack: [[...ARCH_CHECK, ...DENY_GETPID]],
    cases: [{ c: I386_GETPID, want: 'killed' }],
  },
];

let vm: VmEngine;
let got: EngineOutcome[][] = [];
let vmX32 = '';
const report: string[] = [];

beforeAll(() => {
  vm = vmEngine('x86_64', { bootDeadlineMs: 240_000 });
  const jobs: EngineJob[] = STACKS.map((s) => ({ stack: s.stack, cases: s.cases.map((c) => c.c), opts: { execute: true } }));
  const t0 = performance.now();
  const r = vm.batch({ runs: jobs, requests: ['features id=f'] });
  got = r.runs;
  const f = r.answers[0] as unknown as { x32: { state: string; ret: number; pid: number } };
  vmX32 = f.x32.state === 'returned' && f.x32.ret === f.x32.pid ? 'works' : JSON.stringify(f.x32);
  const b = vm.lastBoot!;
  report.push(`vm:x86_64 x32/i386 execute: one boot in ${(performance.now() - t0).toFixed(0)} ms (qemu wall ${b.wallMs.toFixed(0)} ms, ${b.probes} probes)`);
});

afterAll(() => {
  console.log(report.join('\n'));
});

describe('vm:x86_64 (syscall.x32=y): a filter that forgets the x32 bit or the arch check lets getpid really run', () => {
  it('the VM kernel runs x32 syscalls (features: x32 getpid returns the pid)', () => {
    expect(vmX32).toBe('works');
  });

  const emu = () => emulatorEngine({ kernel: resolveKernel(vm.machine.release) });

  STACKS.forEach((s, j) => {
    it(s.title, () => {
      const e = emu().run(s.stack, s.cases.map((c) => c.c));
      s.cases.forEach(({ c, want }, i) => {
        const o = got[j][i];
        const label = `${c.arch.name} nr 0x${(c.nr >>> 0).toString(16)}`;
        if (want === 'executed-pid') {
          // It ran: getpid in the probe's child inside the VM returns a real pid.
          expect(o.kind, label).toBe('executed');
          expect(o.kind === 'executed' && o.ret > 0n, `${label}: ${o.kind === 'executed' ? o.ret : ''}`).toBe(true);
        } else {
          expect(o.kind, label).toBe(want);
        }
        expect(compareOutcomes(e[i], o), `${label}: emulator ${e[i].kind}`).toEqual({ verdict: 'agree' });
      });
    });
  });
});

describe('the host kernel engine with the same stacks', () => {
  const available = kernelAvailability();
  it.runIf(available.ok && process.arch === 'x64')('x32 getpid passes the forgetful filter; the host runs it, or returns ENOSYS when it has no x32 (kernel-info)', () => {
    const host = kernelFeatures().x32;
    const [denied, x32] = kernel.run(STACKS[0].stack, [X86_GETPID, X32_GETPID], { execute: true });
    expect(denied).toEqual({ kind: 'errno', errno: 1 });
    expect(x32.kind).toBe('executed');
    const ret = x32.kind === 'executed' ? x32.ret : 0n;
    if (host.state === 'refused') expect(ret).toBe(-38n);
    else expect(ret > 0n).toBe(true);
    report.push(`host ${kernelFeatures().release}: x32 ${host.state}${host.state === 'refused' ? ` (${host.errno})` : ''}; x32 getpid under the forgetful filter: executed, returned ${ret}`);
    // With the guard it never reaches the kernel's x32 table.
    expect(kernel.run(STACKS[1].stack, [X32_GETPID], { execute: true })[0]).toMatchObject({ kind: 'killed' });
    const [i386] = kernel.run(STACKS[3].stack, [I386_GETPID], { execute: true });
    expect(i386.kind).toBe('executed');
  });
});
