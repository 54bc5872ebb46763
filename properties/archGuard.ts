// archGuard(): every seccomp_data whose arch is none of `allowed` gets
// `action` — the filter's first line of defence.
import fc from 'fast-check';
import { ARCHES, formatAction, type SeccompData } from 'unicorn-bpf-emulator';
import { parseActionSpec, type ActionSpec } from './_internals/action_spec.js';
import { engineFor, type FilterInput } from './_internals/engine.js';
import { abiByName, seccompData } from './seccompData.js';

export interface ArchGuardOptions {
  /** ABI names whose AUDIT_ARCH value the filter may let through (x86_64 and x32 share one). */
  readonly allowed: readonly string[];
  /** What every other arch must get (default "deny"). */
  readonly action?: ActionSpec;
}

export function archGuard(filter: FilterInput, opts: ArchGuardOptions): fc.IPropertyWithHooks<[SeccompData]> {
  const allowed = opts.allowed.map(abiByName);
  const allowedValues = new Set(allowed.map((a) => a.auditArch));
  const want = parseActionSpec(opts.action ?? 'deny');
  const engine = engineFor(filter);
  const foreign = [...new Set(ARCHES.map((a) => a.auditArch))].filter((v) => !allowedValues.has(v));
  const archWord = fc.oneof(
    { arbitrary: fc.constantFrom(...foreign), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 0xffffffff }).filter((v) => !allowedValues.has(v)), weight: 1 },
  );
  // Syscall numbers and args drawn as for the allowed ABIs; the words are then laid out in the foreign arch's byte order.
  const base = allowed.length ? fc.oneof(...allowed.map((a) => seccompData({ arch: a.name, filter }))) : seccompData({ arch: 'x86_64', filter });
  return fc.property(fc.tuple(base, archWord).map(([d, arch]) => ({ ...d, arch })), (d) => {
    const arch = d.arch;
    const abi = ARCHES.find((a) => a.auditArch === arch);
    const raw = engine.raw(d, abi?.endian ?? 'little');
    if (!want.matches(raw)) throw new Error(`arch 0x${arch.toString(16)} (${abi?.name ?? 'unknown'}) got ${formatAction(raw)}, expected ${want.text}`);
  });
}
