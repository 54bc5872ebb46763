// An interpreter for OCI runtime-spec seccomp objects (config.json's
// linux.seccomp, the shape runc and crun compile through libseccomp),
// written from the documentation, not from seccheck's OCI path.
//
// OCI runtime spec (config-linux.md, "Seccomp"): defaultAction applies to
// every syscall no rule matches; a rule {names, action, errnoRet, args}
// matches a call of one of its names whose args all match; errnoRet, when
// absent for SCMP_ACT_ERRNO/SCMP_ACT_TRACE, defaults to EPERM.
// libseccomp (seccomp_rule_add(3), seccomp_attr_set(3), seccomp.h):
//  - the comparisons of one rule are AND-ed; 64-bit unsigned compares on a
//    64-bit ABI; SCMP_CMP_MASKED_EQ matches "when the masked argument value
//    is equal to the masked datum value": (arg & value) == (valueTwo & value);
//  - each argument may be compared once per rule: runc and crun then add
//    each comparison as its own rule (OR), which is what this does too;
//  - SCMP_ACT_ERRNO(x) and SCMP_ACT_TRACE(x) keep x & 0xffff; SCMP_ACT_KILL
//    is SCMP_ACT_KILL_THREAD;
//  - data of an arch the filter does not cover gets SCMP_FLTATR_ACT_BADARCH,
//    SCMP_ACT_KILL(_THREAD) unless set (neither runtime sets it).
// From libseccomp's source (src/gen_bpf.c, _gen_bpf_arch), not its man
// pages: an x86_64 filter without x32 sends nr >= __X32_SYSCALL_BIT to the
// bad-arch action, except nr -1 (0xffffffff), which tracers use to skip a
// syscall and which gets the default action.
//
// Overlapping rules with different actions: neither the runtime spec nor
// libseccomp's documentation says which wins (libseccomp issue #118/PR #225:
// "no specification other than the source code"; runtime-spec PR #1159 to
// specify "first entry wins" was closed). The interpreter refuses to decide
// (PolicyUnspecifiedError) and ociProfile() never generates such overlaps.
//
// Scope: the runtime-spec shape only (resolve a Docker profile's archMap and
// includes/excludes first), and `architectures` naming the target ABI at
// most: other ABIs in one filter (32-bit ones compare 32-bit args) are left
// out. Names the ABI's table lacks match nothing, as libseccomp skips them.
import {
  SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, __X32_SYSCALL_BIT, formatAction,
  type ArchInfo, type SeccompData,
} from 'unicorn-bpf-emulator';
import { syscallNumber } from '../../src/arch/syscalls.js';
import { parseJson } from '../../src/formats/oci_json.js';
import { noConstants, PolicyUnspecifiedError, type PolicyModel, type PolicyVerdict } from './policy_model.js';

export type OciActionName =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG' | 'SCMP_ACT_NOTIFY';
export type OciOpName = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface OciProfileArg {
  readonly index: number;
  readonly value: bigint | number;
  readonly valueTwo?: bigint | number;
  readonly op: OciOpName;
}
export interface OciProfileSyscall {
  readonly names: readonly string[];
  readonly action: OciActionName;
  readonly errnoRet?: number;
  readonly args?: readonly OciProfileArg[];
}
/** An OCI runtime-spec seccomp object. */
export interface OciProfile {
  readonly defaultAction: OciActionName;
  readonly defaultErrnoRet?: number;
  readonly architectures?: readonly string[];
  readonly syscalls?: readonly OciProfileSyscall[];
}

/** The JSON text of a profile, with 64-bit integers written exactly. */
export function ociProfileText(p: OciProfile): string {
  return JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}\u0000` : v))
    .replace(/"\\u0000(\d+)\\u0000"/g, '$1');
}

const EPERM = 1;

/** An OCI action name and errnoRet as a SECCOMP_RET value. */
export function ociActionRaw(action: string, errnoRet: number | undefined): number {
  const data = (errnoRet ?? EPERM) & SECCOMP_RET_DATA;
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS': return SECCOMP_RET_KILL_PROCESS >>> 0;
    case 'SCMP_ACT_TRAP': return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO': return (SECCOMP_RET_ERRNO | data) >>> 0;
    case 'SCMP_ACT_TRACE': return (SECCOMP_RET_TRACE | data) >>> 0;
    case 'SCMP_ACT_ALLOW': return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_LOG': return SECCOMP_RET_LOG;
    case 'SCMP_ACT_NOTIFY': return SECCOMP_RET_USER_NOTIF;
  }
  throw new Error(`OCI policy: unknown action ${JSON.stringify(action)}`);
}

interface Cmp {
  readonly index: number;
  readonly op: OciOpName;
  readonly a: bigint;
  readonly b: bigint;
}

function holds(c: Cmp, arg: bigint): boolean {
  switch (c.op) {
    case 'SCMP_CMP_NE': return arg !== c.a;
    case 'SCMP_CMP_LT': return arg < c.a;
    case 'SCMP_CMP_LE': return arg <= c.a;
    case 'SCMP_CMP_EQ': return arg === c.a;
    case 'SCMP_CMP_GE': return arg >= c.a;
    case 'SCMP_CMP_GT': return arg > c.a;
    case 'SCMP_CMP_MASKED_EQ': return (arg & c.a) === (c.b & c.a);
  }
}

interface Rule {
  readonly place: string;
  readonly nrs: ReadonlySet<number>;
  readonly raw: number;
  readonly cmps: readonly Cmp[];
}

type Any = Record<string, unknown>;
const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : v === undefined || v === null ? 0n : BigInt(v as number));
const archToken = (a: ArchInfo): string => `SCMP_ARCH_${a.name.toUpperCase()}`;

/** The interpreter for an OCI seccomp object compiled for `arch`. */
export function ociPolicyModel(profile: string | OciProfile, arch: ArchInfo): PolicyModel {
  const p = (typeof profile === 'string' ? parseJson(profile) : profile) as Any;
  for (const docker of ['archMap', 'defaultErrno']) if (p[docker] != null) throw new Error(`OCI policy: resolve the Docker field "${docker}" first`);
  const others = ((p.architectures as string[] | undefined) ?? []).filter((a) => a !== archToken(arch));
  if (others.length) throw new Error(`OCI policy interpreter covers the target ABI only; architectures also lists ${others.join(', ')}`);
  const def = ociActionRaw(p.defaultAction as string, p.defaultErrnoRet as number | undefined);
  const rules: Rule[] = [];
  const constants = noConstants();
  const named = new Set<number>();
  ((p.syscalls as Any[] | undefined) ?? []).forEach((s, i) => {
    if (s.excludes != null || s.includes != null || s.name != null) throw new Error(`OCI policy: syscalls[${i}] has Docker fields; resolve them first`);
    const nrs = new Set<number>();
    for (const n of s.names as string[]) {
      const nr = syscallNumber(arch.name, n);
      if (nr !== undefined) nrs.add(nr >>> 0), named.add(nr >>> 0);
    }
    const raw = ociActionRaw(s.action as string, s.errnoRet as number | undefined);
    const cmps: Cmp[] = ((s.args as Any[] | undefined) ?? []).map((a) => ({ index: Number(a.index ?? 0), op: a.op as OciOpName, a: big(a.value), b: big(a.valueTwo) }));
    for (const c of cmps) constants[c.index].push(c.a, ...(c.op === 'SCMP_CMP_MASKED_EQ' ? [c.b, c.b & c.a] : []));
    const place = `syscalls[${i}] ${s.action as string}`;
    const repeated = new Set(cmps.map((c) => c.index)).size < cmps.length;
    // runc/crun: one rule per comparison when an argument is compared twice.
    if (repeated) cmps.forEach((c, k) => rules.push({ place: `${place} (args[${k}] alone)`, nrs, raw, cmps: [c] }));
    else rules.push({ place, nrs, raw, cmps });
  });
  const x32Guard = arch.name === 'x86_64';

  return {
    arch,
    syscalls: [...named],
    constants,
    evaluate(d: SeccompData): PolicyVerdict {
      if (d.arch >>> 0 !== arch.auditArch) return { raw: SECCOMP_RET_KILL_THREAD, why: `not ${arch.constant}: libseccomp's bad-arch action` };
      const nr = d.nr >>> 0;
      if (x32Guard && nr >= __X32_SYSCALL_BIT && nr !== 0xffffffff) return { raw: SECCOMP_RET_KILL_THREAD, why: 'x32 syscall in an x86_64 filter: libseccomp\'s bad-arch action' };
      const hits = rules.filter((r) => r.nrs.has(nr) && r.cmps.every((c) => holds(c, d.args[c.index])));
      if (hits.length === 0) return { raw: def, why: 'no rule matches: defaultAction' };
      const raws = new Set(hits.map((h) => h.raw));
      if (raws.size > 1) {
        throw new PolicyUnspecifiedError(`rules ${hits.map((h) => `${h.place} -> ${formatAction(h.raw)}`).join(', ')} all match; the OCI spec and libseccomp leave the outcome unspecified`);
      }
      return { raw: hits[0].raw, why: `${hits.map((h) => h.place).join(', ')} match${hits.length === 1 ? 'es' : ''}` };
    },
  };
}
