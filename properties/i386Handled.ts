// i386Handled(): a filter for x86_64 must not judge i386 (compat) syscalls
// by x86_64 numbers. For every seccomp_data with arch AUDIT_ARCH_I386, the
// filter either denies it (anything but ALLOW/LOG) or reaches its decision
// on a path that established arch == AUDIT_ARCH_I386 (a JEQ on the loaded
// arch word taken on its true side) and whose every test of the syscall
// number sits where the arch is known to be AUDIT_ARCH_I386 on every path
// (knownArch) — i.e. i386 numbers are judged by rules written for i386, not
// by a dispatch shared with x86_64. For a stack, each filter that allows is
// held to this.
import fc from 'fast-check';
import { decodeAction, formatAction, knownArch, seccompDataWords, type SeccompData } from 'unicorn-bpf-emulator';
import { programsOf, type FilterInput } from './_internals/engine.js';
import { runEstablishing } from './_internals/trace.js';
import { abiByName, seccompData } from './seccompData.js';

export function i386Handled(filter: FilterInput): fc.IPropertyWithHooks<[SeccompData]> {
  const x86 = abiByName('x86');
  const programs = programsOf(filter);
  const known = programs.map((p) => knownArch(p));
  const words = new Uint32Array(16);
  const data = seccompData({ arch: 'x86', filter, edges: false }).map((d) => ({ ...d, arch: x86.auditArch }));
  return fc.property(data, (d) => {
    seccompDataWords(d, 'little', words);
    programs.forEach((p, i) => {
      const r = runEstablishing(p, words, x86.auditArch);
      const kind = decodeAction(r.raw).kind;
      if (kind !== 'ALLOW' && kind !== 'LOG') return;
      if (!r.established) throw new Error(`i386 nr ${d.nr} got ${formatAction(r.raw)} from filter ${i} on a path that never checked arch == AUDIT_ARCH_I386`);
      const shared = r.nrCompares.find((pc) => known[i][pc].auditArch !== x86.auditArch);
      if (shared !== undefined) throw new Error(`i386 nr ${d.nr} got ${formatAction(r.raw)} from filter ${i}, judged at instruction ${shared}, a syscall-number test not specific to AUDIT_ARCH_I386`);
    });
  });
}
