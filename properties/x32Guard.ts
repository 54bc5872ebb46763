// x32Guard(): on AUDIT_ARCH_X86_64, every syscall number carrying the x32
// bit (__X32_SYSCALL_BIT, 0x40000000) gets `action` (default "deny"). The
// nr -1 (0xffffffff: "skip this syscall" from a tracer) is left out, as
// libseccomp leaves it out.
import fc from 'fast-check';
import { __X32_SYSCALL_BIT, formatAction, type SeccompData } from 'unicorn-bpf-emulator';
import { parseActionSpec, type ActionSpec } from './_internals/action_spec.js';
import { engineFor, type FilterInput } from './_internals/engine.js';
import { abiByName, seccompData } from './seccompData.js';

export function x32Guard(filter: FilterInput, opts: { action?: ActionSpec } = {}): fc.IPropertyWithHooks<[SeccompData]> {
  const x32 = abiByName('x32');
  const want = parseActionSpec(opts.action ?? 'deny');
  const engine = engineFor(filter);
  const nrs = fc.oneof(
    // The x32 table itself, and the x86_64 numbers with the bit set (what a missing guard lets through).
    seccompData({ arch: 'x32', filter, edges: false }).map((d) => d.nr | __X32_SYSCALL_BIT),
    seccompData({ arch: 'x86_64', filter, edges: false }).map((d) => (d.nr & 0x3fffffff) | __X32_SYSCALL_BIT),
    fc.integer({ min: __X32_SYSCALL_BIT, max: 0x7fffffff }),
  );
  const data = fc.tuple(seccompData({ arch: 'x86_64', filter, edges: false }), nrs).map(([d, nr]) => ({ ...d, nr: nr | 0, arch: x32.auditArch }));
  return fc.property(data, (d) => {
    const raw = engine.raw(d, 'little');
    if (!want.matches(raw)) throw new Error(`x32 nr 0x${(d.nr >>> 0).toString(16)} got ${formatAction(raw)}, expected ${want.text}`);
  });
}
