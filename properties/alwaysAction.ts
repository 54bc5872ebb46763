// alwaysAction(): one syscall on one ABI gets `action` for every argument
// and instruction pointer value.
import fc from 'fast-check';
import { formatAction, type SeccompData } from 'unicorn-bpf-emulator';
import { parseActionSpec, type ActionSpec } from './_internals/action_spec.js';
import { engineFor, type FilterInput } from './_internals/engine.js';
import { abiByName, resolveSyscall, seccompData } from './seccompData.js';

export interface SyscallSelector {
  readonly arch: string;
  /** Name (from seccheck's table for the ABI) or number. */
  readonly syscall: string | number;
}

export function alwaysAction(filter: FilterInput, at: SyscallSelector, action: ActionSpec): fc.IPropertyWithHooks<[SeccompData]> {
  const abi = abiByName(at.arch);
  const nr = resolveSyscall(abi, at.syscall);
  const want = parseActionSpec(action, abi.name);
  const engine = engineFor(filter);
  const data = seccompData({ arch: abi.name, filter, edges: false }).map((d) => ({ ...d, nr, arch: abi.auditArch }));
  return fc.property(data, (d) => {
    const raw = engine.raw(d, abi.endian);
    if (!want.matches(raw)) throw new Error(`${at.syscall} on ${abi.name} got ${formatAction(raw)}, expected ${want.text}`);
  });
}
