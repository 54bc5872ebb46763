// Compiling a runtime-spec seccomp object through the system's libseccomp
// the way the container runtimes do, then exporting the BPF:
//
//   crun (src/libcrun/seccomp.c, libcrun_generate_seccomp):
//     seccomp_init(default) -> seccomp_arch_add per listed arch (EEXIST is
//     fine) -> per rule whose action differs from the default, per name:
//     seccomp_syscall_resolve_name (unknown: warning, skipped) ->
//     seccomp_rule_add_array with the rule's args (only the first six are
//     read), or one single-condition rule per arg when two args test the
//     same index -> seccomp_export_bpf. No filter attribute is set.
//   runc (libcontainer/seccomp/seccomp_linux.go, InitSeccomp, through
//     libseccomp-golang): the same calls, plus SCMP_FLTATR_CTL_TSYNC on
//     (libseccomp-golang's NewFilter), SCMP_FLTATR_CTL_NNP off, and
//     SCMP_FLTATR_CTL_OPTIMIZE 2 (binary tree) when the spec names more than
//     32 syscalls; an empty name and errnoRet on a non-errno action are
//     handled differently (see compileSeccomp). runc then prepends its
//     -ENOSYS stub (patchbpf) before loading; that stub is not reproduced.
//
// TSYNC, NNP, LOG and SSB only matter to seccomp_load, which is never called
// here, so they do not change the exported program. The bad-arch action is
// libseccomp's default (KILL_THREAD) in both runtimes.
//
// The filter is built for a target ABI that may differ from the host's:
// when it does, the host's native arch (which seccomp_init always adds) is
// removed and the target added first, so the filter is the one a runtime
// would build on a target host (native arch first, then the listed ones).
// Syscall names are still resolved against the host, as libseccomp
// translates rule numbers from its native arch to each filter arch by name.
import { decodeProgram, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { errnoName } from '../arch/errno.js';
import { SeccheckError } from '../errors.js';
import {
  __NR_SCMP_ERROR, MAX_ERRNO, SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD,
  SCMP_ACT_LOG, SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, SCMP_ACT_TRAP, SCMP_CMP_BY_NAME, SCMP_FLTATR_ACT_BADARCH,
  SCMP_FLTATR_CTL_NNP, SCMP_FLTATR_CTL_OPTIMIZE, SCMP_FLTATR_CTL_TSYNC,
} from '../libseccomp/constants.js';
import { libseccomp, type Libseccomp, type ScmpArgCmp, type ScmpFilterCtx } from '../libseccomp/library.js';
import type { OciAction, OciArg, OciSeccomp } from './oci_profile.js';

export type OciRuntime = 'crun' | 'runc';

export interface CompileOptions {
  readonly runtime: OciRuntime;
  /** SCMP_FLTATR_ACT_BADARCH as an OCI action name; undefined keeps libseccomp's default. */
  readonly badArchAction?: OciAction;
}

export interface CompiledSeccomp {
  readonly program: Insn[];
  /** libseccomp arch names the filter covers, in its order. */
  readonly architectures: readonly string[];
  readonly libseccompVersion: string;
  /** Set when runc's binary-tree optimization applied. */
  readonly optimize: 1 | 2;
  readonly warnings: readonly string[];
}

const EPERM = 1;

/** The libseccomp action value a runtime builds from an OCI action and errnoRet (both keep 16 bits of errno). */
export function actionValue(action: OciAction, errnoRet: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_KILL': return SCMP_ACT_KILL;
    case 'SCMP_ACT_KILL_THREAD': return SCMP_ACT_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS': return SCMP_ACT_KILL_PROCESS;
    case 'SCMP_ACT_TRAP': return SCMP_ACT_TRAP;
    case 'SCMP_ACT_ERRNO': return SCMP_ACT_ERRNO(errnoRet ?? EPERM);
    case 'SCMP_ACT_TRACE': return SCMP_ACT_TRACE(errnoRet ?? EPERM);
    case 'SCMP_ACT_ALLOW': return SCMP_ACT_ALLOW;
    case 'SCMP_ACT_LOG': return SCMP_ACT_LOG;
    case 'SCMP_ACT_NOTIFY': return SCMP_ACT_NOTIFY;
  }
}

const takesErrno = (a: OciAction): boolean => a === 'SCMP_ACT_ERRNO' || a === 'SCMP_ACT_TRACE';

const errnoText = (rc: number): string => errnoName(-rc) ?? `error ${rc}`;

/** Compile `spec` for `target`; every libseccomp refusal is a SeccheckError at the rule's place. */
export function compileSeccomp(spec: OciSeccomp, target: ArchInfo, file: string, root: string, opts: CompileOptions): CompiledSeccomp {
  const lib = libseccomp();
  const at = (path: string): string => (root === '' ? path : `${root}.${path}`);
  const fail = (place: string | undefined, problem: string): never => {
    throw new SeccheckError(file, place, problem);
  };
  const warnings: string[] = [];
  const runc = opts.runtime === 'runc';

  const errnoOf = (action: OciAction, errnoRet: number | undefined, place: string): number | undefined => {
    if (errnoRet === undefined) return undefined;
    if (!takesErrno(action)) {
      if (!runc) fail(place, `errnoRet given for ${action}, which takes no errno (crun refuses this; runc ignores it)`);
      warnings.push(`${place}: errnoRet is ignored for ${action} (runc ignores it; crun refuses the profile)`);
      return undefined;
    }
    if (errnoRet > 0xffff) warnings.push(`${place}: errnoRet ${errnoRet} keeps only its low 16 bits in runc and crun: ${errnoRet & 0xffff}`);
    return errnoRet;
  };

  const defErrno = errnoOf(spec.defaultAction, spec.defaultErrnoRet, at('defaultErrnoRet'));
  const defAct = actionValue(spec.defaultAction, defErrno);
  if (runc && spec.defaultAction === 'SCMP_ACT_NOTIFY') fail(at('defaultAction'), 'SCMP_ACT_NOTIFY cannot be the default action in runc');
  const checkErrnoRange = (action: OciAction, errno: number | undefined, place: string): void => {
    // sys_chk_seccomp_action: ERRNO(x) is valid for x < MAX_ERRNO; TRACE takes any 16 bits.
    if (action === 'SCMP_ACT_ERRNO' && ((errno ?? EPERM) & 0xffff) >= MAX_ERRNO) {
      fail(place, `errno ${(errno ?? EPERM) & 0xffff} is out of range: libseccomp ${lib.version} takes 0..${MAX_ERRNO - 1}`);
    }
  };
  checkErrnoRange(spec.defaultAction, defErrno, at(spec.defaultErrnoRet === undefined ? 'defaultAction' : 'defaultErrnoRet'));

  const ctx = lib.seccomp_init(defAct);
  if (ctx === null) return fail(at('defaultAction'), `libseccomp ${lib.version} refused ${spec.defaultAction} as the default action (not supported by this kernel?)`);
  try {
    const architectures = setArches(lib, ctx, spec, target, at, fail, warnings);

    if (opts.badArchAction !== undefined) {
      const rc = lib.seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, actionValue(opts.badArchAction, undefined));
      if (rc < 0) fail('badArchAction', `libseccomp ${lib.version} refused ${opts.badArchAction} as the bad-arch action: ${errnoText(rc)}`);
    }
    let optimize: 1 | 2 = 1;
    if (runc) {
      // libseccomp-golang's NewFilter turns TSYNC on (ENOTSUP is tolerated); runc turns NNP off.
      lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
      const names = spec.syscalls.reduce((n, s) => n + s.names.length, 0);
      // runc: "if len(config.Syscalls) > 32 { filter.SetOptimize(2) }" (errors only logged).
      if (names > 32 && lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) === 0) optimize = 2;
      const rc = lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
      if (rc < 0) fail(at('defaultAction'), `libseccomp ${lib.version} refused to turn NO_NEW_PRIVS off: ${errnoText(rc)}`);
    }

    const unknown = new Set<string>();
    for (const call of spec.syscalls) {
      const errno = errnoOf(call.action, call.errnoRet, `${call.place}.errnoRet`);
      const act = actionValue(call.action, errno);
      if (runc && call.action === 'SCMP_ACT_NOTIFY' && call.names.includes('write')) fail(call.place, 'SCMP_ACT_NOTIFY cannot be used for write in runc');
      // Both runtimes drop a rule that repeats the default action (libseccomp would refuse it with EACCES).
      if (act === defAct) continue;

      const { groups, dropped, split } = conditionGroups(call.args, opts.runtime);
      if (dropped > 0) warnings.push(`${call.place}: crun reads only the first 6 args; ${dropped} more ignored`);
      if (split) warnings.push(`${call.place}: two or more args test the same argument, so runc and crun add each as its own rule: the conditions are OR-ed, not AND-ed`);

      for (const name of call.names) {
        if (name === '' && runc) fail(`${call.place}.names`, 'empty string is not a valid syscall (runc refuses it)');
        // Both runtimes hand libseccomp a C string, which ends at the first NUL.
        const cName = name.split('\0')[0];
        if (cName !== name) warnings.push(`${call.place}: syscall name ${JSON.stringify(name)} holds a NUL; libseccomp sees ${JSON.stringify(cName)}`);
        const nr = lib.seccomp_syscall_resolve_name(cName);
        if (nr === __NR_SCMP_ERROR) {
          unknown.add(JSON.stringify(name));
          continue;
        }
        // libseccomp checks the action on each rule it adds, so a bad errno only matters for a rule that gets added.
        checkErrnoRange(call.action, errno, call.errnoRet === undefined ? `${call.place}.action` : `${call.place}.errnoRet`);
        for (const conds of groups) {
          const rc = lib.seccomp_rule_add_array(ctx, act, nr, conds);
          if (rc < 0) fail(call.place, `libseccomp ${lib.version} refused the rule for ${JSON.stringify(name)}: ${ruleProblem(rc)}`);
        }
      }
    }
    if (unknown.size > 0) {
      warnings.push(`libseccomp ${lib.version} does not know ${unknown.size === 1 ? 'syscall' : `${unknown.size} syscalls`} ${[...unknown].join(', ')}: skipped, as runc and crun do`);
    }

    const bytes = lib.exportBpf(ctx);
    if (typeof bytes === 'number') return fail(undefined, `libseccomp ${lib.version} could not export the filter: ${errnoText(bytes)}`);
    // libseccomp writes the program in the filter's byte order (gen_bpf.c: htot16/htot32 with the arch's endianness).
    const program = decodeProgram(bytes, target.endian);
    return { program, architectures, libseccompVersion: lib.version, optimize, warnings };
  } finally {
    lib.seccomp_release(ctx);
  }
}

function ruleProblem(rc: number): string {
  switch (-rc) {
    case 17: return 'EEXIST (it conflicts with an earlier rule for the same syscall and arguments)';
    case 22: return 'EINVAL (bad argument comparison)';
    case 13: return 'EACCES (the action is the default action)';
    default: return errnoText(rc);
  }
}

/** runc's and crun's handling of args: one rule with every condition, or one rule per condition when an index repeats. */
function conditionGroups(args: readonly OciArg[], runtime: OciRuntime): { groups: ScmpArgCmp[][]; dropped: number; split: boolean } {
  const used = runtime === 'crun' ? args.slice(0, 6) : args;
  const conds: ScmpArgCmp[] = used.map((a) => ({ arg: a.index, op: SCMP_CMP_BY_NAME[a.op], datum_a: a.value, datum_b: a.valueTwo }));
  const seen = new Set<number>();
  let split = false;
  for (const a of used) {
    if (seen.has(a.index)) split = true;
    seen.add(a.index);
  }
  return { groups: split ? conds.map((c) => [c]) : [conds], dropped: args.length - used.length, split };
}

/** Put the target arch first (in place of the host's), then add the spec's arches; returns the list in filter order. */
function setArches(
  lib: Libseccomp, ctx: ScmpFilterCtx, spec: OciSeccomp, target: ArchInfo,
  at: (p: string) => string, fail: (place: string | undefined, problem: string) => never, warnings: string[],
): string[] {
  const native = lib.seccomp_arch_native();
  const targetToken = lib.seccomp_arch_resolve_name(target.name);
  if (targetToken === 0) fail('arch', `libseccomp ${lib.version} does not support ${target.name}`);
  if (targetToken !== native) {
    const rm = lib.seccomp_arch_remove(ctx, native);
    const add = lib.seccomp_arch_add(ctx, targetToken);
    if (rm < 0 || add < 0) fail('arch', `libseccomp ${lib.version} could not switch the filter to ${target.name}: ${errnoText(rm < 0 ? rm : add)}`);
  }
  const out = [target.name];
  let listsTarget = false;
  spec.architectures.forEach((written, i) => {
    const name = written.split('\0')[0].replace(/^SCMP_ARCH_/, '').toLowerCase();
    const token = name === '' ? 0 : lib.seccomp_arch_resolve_name(name);
    if (token === 0) fail(at(`architectures[${i}]`), `unknown architecture ${JSON.stringify(written)} (libseccomp ${lib.version} does not know it)`);
    if (token === targetToken) listsTarget = true;
    const rc = lib.seccomp_arch_add(ctx, token);
    if (rc === -17) return; // EEXIST: already there, as both runtimes allow
    if (rc === -33) fail(at(`architectures[${i}]`), `${written} cannot share a filter with ${out.join(', ')}: libseccomp needs one byte order per filter (EDOM)`);
    if (rc < 0) fail(at(`architectures[${i}]`), `libseccomp ${lib.version} refused ${written}: ${errnoText(rc)}`);
    out.push(name);
  });
  if (spec.architectures.length > 0 && !listsTarget) {
    warnings.push(`${at('architectures')} does not list ${target.name}; a runtime on ${target.name} keeps its native arch in the filter anyway`);
  }
  return out;
}
