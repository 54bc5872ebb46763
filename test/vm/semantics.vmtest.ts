// SEMANTICS §6 ([V] rows) on vm:aarch64 and vm:x86_64: every row an engine
// can show, ONE boot per arch for the whole file (run rows, checker rows
// and the raw-request rows 27/33/34 in one batch), each answer compared with
// the emulator for the VM's kernel (6.1) and with the row's result. The
// rows are __test-helpers__/semantics_rows.ts, written for aarch64 with its
// numbers (getpid 172, seccomp 277). Where the aarch64 kernel really
// differs from SEMANTICS's x86_64 statement, the row is listed below with
// the reason (an arch fact); any other difference fails the suite.
// Fails, with the reason, when qemu, the kernels (npm run setup:vm) or the
// probes are missing.
import { describe } from 'vitest';
import { vmEngine, type VmEngine } from '../../containers/vm/engine.js';
import { AARCH64_TARGET, X86_64_TARGET } from '../__test-helpers__/semantics_rows.js';
import { semanticsSuite } from '../__test-helpers__/semantics_suite.js';

const NO_X86_ABI = 'the aarch64 kernel has no x86 ABIs: i386 (int $0x80) and x32 exist only on x86_64 (its compat ABI is AArch32, AUDIT_ARCH_ARM), so the probe cannot make this case: skipped';

/** vm:aarch64 rows whose case the kernel cannot make (SEMANTICS §5.3, §5.5). */
const AARCH64_NOT_MADE: Readonly<Record<string, string>> = {
  '#51 TRAP|1 on i386 getpid (20)': NO_X86_ABI,
  '#51 TRAP|2 on x32 getpid': NO_X86_ABI,
  '#55 x32 getpid shows 0x40000027': `${NO_X86_ABI}; arm64 has no x32-like numbering bit`,
  '#56 arch and nr': NO_X86_ABI,
  '#56 deny 39: 64-bit getpid denied': 'the row is about x86_64 getpid (39) beside its int $0x80 twin: an x86_64 syscall cannot be made on an aarch64 kernel',
  '#56 deny 39: int 0x80 getpid (20) allowed': NO_X86_ABI,
  '#57 LD [20] = 0xabc, LD [16] = 0xfedcba98': `${NO_X86_ABI} (the full 64-bit rbx copy is an int $0x80 detail)`,
};

const AARCH64_TRAP = 'TRAP siginfo names the aarch64 call: si_syscall 172 (getpid in the asm-generic table), si_arch AUDIT_ARCH_AARCH64 0xc00000b7';

/** vm:aarch64 rows whose result differs from the x86_64 statement, and why (SEMANTICS Appendix B). */
const AARCH64_DIFFERS: Readonly<Record<string, string>> = {
  '#41 getpid -> errno = its nr': 'the errno is the nr the filter saw: getpid is 172 on arm64, 39 on x86_64',
  '#46 TRAP vs ERRNO': AARCH64_TRAP,
  '#46 ERRNO vs TRAP': AARCH64_TRAP,
  '#51 TRAP|0xbeef on getpid': AARCH64_TRAP,
};

for (const arch of ['aarch64', 'x86_64'] as const) {
  describe(`vm:${arch}`, () => {
    let vm: VmEngine | undefined;
    const get = (): VmEngine => (vm ??= vmEngine(arch, { bootDeadlineMs: 240_000 }));
    semanticsSuite({
      engine: `vm:${arch}`,
      target: arch === 'aarch64' ? AARCH64_TARGET : X86_64_TARGET,
      batch: (b) => get().batch(b),
      release: () => get().machine.release,
      stats: () => {
        const s = get().lastBoot!;
        return `${get().machine.kernelPackage}: qemu wall ${s.wallMs.toFixed(0)} ms, guest boot to /init ${s.guestBootMs} ms, batch ${s.batchMs} ms in the VM, ${s.probes} probes`;
      },
      // 6.1 x86_64 with syscall.x32=y: no row differs (the uretprobe/uprobe exemption is a kernel-version fact, kept out of the rows).
      notMade: arch === 'aarch64' ? AARCH64_NOT_MADE : {},
      differs: arch === 'aarch64' ? AARCH64_DIFFERS : {},
      bypass: arch === 'x86_64',
    });
  });
}
