// matchesPolicy against seccheck's compilers on random policies (the
// seccompiler-JSON compiler, the OCI/libseccomp path), on the cellos
// baseline, and against planted bugs it must find.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, OP, SECCOMP_RET_ALLOW, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { numRuns } from '../emulator/src/__test-helpers__/runs.js';
import { syscallNumber } from '../src/arch/syscalls.js';
import { libseccomp } from '../src/libseccomp/library.js';
import { parseJson } from '../src/formats/oci_json.js';
import { DOCKER_DEFAULT_CAPS, resolveProfile } from '../src/formats/oci_profile.js';
import { CELLOS_BASELINE_ARCHES, CELLOS_BASELINE_SYSCALLS, cellosBaselineProgram } from '../src/formats/cellos.js';
import { libseccompVersion, loadOci } from '../src/formats/oci.js';
import { compileSeccompiler } from '../src/formats/seccompiler.js';
import { ociProfileText, type OciProfile } from './_internals/policy_oci.js';
import { seccompilerJsonText, type SeccompilerDoc, type SeccompilerRule } from './_internals/policy_seccompiler.js';
import { evaluatePolicy, matchesPolicy, type MatchesPolicyOptions } from './matchesPolicy.js';
import { OCI_OPS, ociProfile, seccompilerPolicy, type OciPolicy, type Policy, type SeccompilerPolicy } from './policy.js';

const abi = (n: string): ArchInfo => archByName(n) as ArchInfo;
const INNER_RUNS = 300;

/** matchesPolicy on one filter, with a fixed seed so that shrinking the policy is deterministic; throws the counterexample. */
function mustMatch(program: Insn[], policy: Policy, opts: MatchesPolicyOptions, runs = INNER_RUNS): void {
  const r = fc.check(matchesPolicy(program, policy, opts), { numRuns: runs, seed: 42 });
  if (r.failed) throw new Error(`${r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance)} (inner seed ${r.seed}, path ${r.counterexamplePath})`);
}

const compileAll = (doc: SeccompilerDoc, arch: string): Map<string, Insn[]> => compileSeccompiler(seccompilerJsonText(doc), 'random.json', abi(arch)).programs;

/** Every thread of a random policy compiled by `compile` matches its policy. */
function seccompilerHolds(arch: string, compile: (doc: SeccompilerDoc) => Map<string, Insn[]>, opts: MatchesPolicyOptions) {
  return (p: SeccompilerPolicy): void => {
    const doc = p.json as SeccompilerDoc;
    const programs = compile(doc);
    for (const thread of Object.keys(doc)) mustMatch(programs.get(thread)!, { ...p, thread }, { arch, ...opts });
  };
}

/** The planted bug: drop an entry without args when its syscall also has entries with args, then compile. */
function dropUnconditional(doc: SeccompilerDoc): SeccompilerDoc {
  const out: Record<string, SeccompilerDoc[string]> = {};
  for (const [name, t] of Object.entries(doc)) {
    const conditional = new Set(t.filter.filter((r) => r.args).map((r) => r.syscall));
    out[name] = { ...t, filter: t.filter.filter((r: SeccompilerRule) => r.args || !conditional.has(r.syscall)) };
  }
  return out;
}

describe('matchesPolicy: seccompiler JSON', () => {
  for (const arch of ['x86_64', 'aarch64']) {
    it(`holds for seccheck's compiler on random policies read as 0.5.0 compiles them (${arch})`, () => {
      fc.assert(fc.property(seccompilerPolicy({ arch }), seccompilerHolds(arch, (d) => compileAll(d, arch), { semantics: 'seccompiler-0.5.0' })), { numRuns: numRuns(100) });
    });

    it(`holds for seccheck's compiler on random policies without mixed entries, read as documented (${arch})`, () => {
      fc.assert(fc.property(seccompilerPolicy({ arch, mixedEntries: false }), seccompilerHolds(arch, (d) => compileAll(d, arch), {})), { numRuns: numRuns(100) });
    });
  }

  it('finds the planted bug (an entry without args dropped beside conditional entries) in under 10 s, shrunk small', () => {
    const t0 = performance.now();
    const broken = (d: SeccompilerDoc): Map<string, Insn[]> => compileAll(dropUnconditional(d), 'x86_64');
    const r = fc.check(fc.property(seccompilerPolicy(), seccompilerHolds('x86_64', broken, {})), { numRuns: 1000 });
    const ms = performance.now() - t0;
    expect(r.failed).toBe(true);
    const [p] = r.counterexample as [SeccompilerPolicy];
    const doc = p.json as SeccompilerDoc;
    const message = r.errorInstance instanceof Error ? r.errorInstance.message : '';
    console.log(`planted seccompiler bug: found after ${r.numRuns} policies (${r.numShrinks} shrinks), ${ms.toFixed(0)} ms, seed ${r.seed}\n  policy ${seccompilerJsonText(doc)}\n  ${message.split('\n')[0]}`);
    expect(ms).toBeLessThan(10_000);
    // The shrunk policy: one thread, the syscall once without args and once with
    // a condition or two (shrinking can stop at a second condition it cannot drop alone).
    const seed = `seed ${r.seed}`;
    expect(Object.keys(doc), seed).toHaveLength(1);
    const [t] = Object.values(doc);
    expect(t.filter, seed).toHaveLength(2);
    expect(t.filter[0].syscall, seed).toBe(t.filter[1].syscall);
    expect(t.filter.flatMap((e) => e.args ?? []).length, seed).toBeLessThanOrEqual(2);
    expect(message).toMatch(/has no args: match_action/);
  });

  it('seccompiler 0.5.0 itself departs from its documentation in the same way (seccheck compiles 0.5.0 faithfully)', () => {
    const doc: SeccompilerDoc = {
      main: { mismatch_action: { errno: 1 }, match_action: 'allow', filter: [{ syscall: 'ioctl' }, { syscall: 'ioctl', args: [{ index: 1, type: 'dword', op: 'eq', val: 0x5401 }] }] },
    };
    const program = compileAll(doc, 'x86_64').get('main')!;
    const policy: Policy = { format: 'seccompiler', json: doc, thread: 'main' };
    expect(() => mustMatch(program, policy, {})).toThrow(/nr 16 \(ioctl\).*filter returns ERRNO\(1\), the policy says ALLOW \(thread "main" filter\[0\] \(ioctl\) has no args/);
    mustMatch(program, policy, { semantics: 'seccompiler-0.5.0' }, 2000);
  });

  it('fails on a filter whose dword comparison ignores the high half the policy tests (qword)', () => {
    const policyDoc = (type: 'dword' | 'qword'): SeccompilerDoc => ({
      vmm: { mismatch_action: 'kill_process', match_action: 'allow', filter: [{ syscall: 'ioctl', args: [{ index: 1, type, op: 'eq', val: 0x5401 }] }, { syscall: 'read' }] },
    });
    const dword = compileAll(policyDoc('dword'), 'x86_64').get('vmm')!;
    const r = fc.check(matchesPolicy(dword, { format: 'seccompiler', json: policyDoc('qword'), thread: 'vmm' }), { numRuns: 10_000 });
    expect(r.failed).toBe(true);
    const [d] = r.counterexample!;
    expect(d.nr).toBe(16);
    expect(d.args[1] & 0xffffffffn).toBe(0x5401n);
    expect(d.args[1] >> 32n).not.toBe(0n);
    expect(String(r.errorInstance)).toMatch(/the filter returns ALLOW, the policy says KILL_PROCESS/);
  });

  it('reads JSON text with 64-bit values exactly, like the object', () => {
    const doc: SeccompilerDoc = { t: { mismatch_action: 'trap', match_action: 'allow', filter: [{ syscall: 'read', args: [{ index: 0, type: 'qword', op: 'eq', val: (1n << 64n) - 2n }] }] } };
    const data = { nr: 0, arch: 0xc000003e, instruction_pointer: 0n, args: [(1n << 64n) - 2n, 0n, 0n, 0n, 0n, 0n] };
    const fromText = evaluatePolicy({ format: 'seccompiler', json: seccompilerJsonText(doc), thread: 't' }, data);
    expect(fromText.raw).toBe(SECCOMP_RET_ALLOW);
    expect(evaluatePolicy({ format: 'seccompiler', json: doc, thread: 't' }, { ...data, args: [(1n << 64n) - 1n, 0n, 0n, 0n, 0n, 0n] }).raw).not.toBe(SECCOMP_RET_ALLOW);
  });
});

const compileOci = (profile: OciProfile, arch: string): Insn[] =>
  loadOci(new TextEncoder().encode(ociProfileText(profile)), 'random.json', { arch: abi(arch) }, {}).programs[0].program;

describe('matchesPolicy: OCI profiles through libseccomp', () => {
  for (const arch of ['x86_64', 'aarch64']) {
    it(`holds on random profiles (${arch})`, () => {
      fc.assert(fc.property(ociProfile({ arch }), (p) => mustMatch(compileOci(p.profile as OciProfile, arch), p, { arch })), { numRuns: numRuns(100) });
    });
  }

  // Found by this property: libseccomp 2.5.4 compiles some same-syscall rule
  // sets wrongly (a jump reaches a comparison with another argument's half in
  // the accumulator, or a rule is lost when rules are merged).
  const LIBSECCOMP_BUGS: [string, OciProfile, RegExp][] = [
    ['a rule is lost: a1 == 0x7fffffff && a0 != 0x7fffffff, or a0 == 0', {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_TRACE', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x7fffffffn }, { index: 0, op: 'SCMP_CMP_NE', value: 0x7fffffffn }] },
        { names: ['read'], action: 'SCMP_ACT_TRACE', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0n }] },
      ],
    }, /the filter returns ALLOW, the policy says TRACE\(1\)/],
    ['the low half compared with the high half\'s constant: a0 <= 2^32, or a0 < 0x7fffffff', {
      defaultAction: 'SCMP_ACT_TRACE',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_LE', value: 1n << 32n }] },
        { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_LT', value: 0x7fffffffn }] },
      ],
    }, /the filter returns TRACE\(1\), the policy says ALLOW/],
  ];
  for (const [what, profile, expected] of LIBSECCOMP_BUGS) {
    it(`finds libseccomp ${libseccompVersion()} miscompiling ${what}`, () => {
      const run = (): void => mustMatch(compileOci(profile, 'x86_64'), { format: 'oci', profile }, {}, 2000);
      // 2.5.4 is the corpus's (Debian bookworm's) libseccomp; another version may have fixed it.
      if (libseccompVersion() === '2.5.4') expect(run).toThrow(expected);
      else console.log(`libseccomp ${libseccompVersion()}: ${what}: ${(() => { try { run(); return 'compiled correctly'; } catch (e) { return String(e); } })()}`);
    });
  }

  it('with every operator in multi-rule syscalls, random profiles find a libseccomp miscompilation', () => {
    const t0 = performance.now();
    const r = fc.check(fc.property(ociProfile({ multiRuleOps: OCI_OPS }), (p) => mustMatch(compileOci(p.profile as OciProfile, 'x86_64'), p, {})), { numRuns: 1000 });
    const [p] = (r.counterexample ?? []) as [OciPolicy?];
    console.log(`libseccomp ${libseccompVersion()}: ${r.failed ? `miscompiles after ${r.numRuns} profiles, ${(performance.now() - t0).toFixed(0)} ms, seed ${r.seed}: ${p && ociProfileText(p.profile as OciProfile)}\n  ${String(r.errorInstance).split('\n')[0]}` : 'no difference found'}`);
    if (libseccompVersion() === '2.5.4') expect(r.failed).toBe(true);
  });

  // Docker's default profile, resolved (archMap, includes/excludes) for the
  // corpus's settings, on the target ABI alone, with the names both
  // seccheck's table (Linux 6.1) and the system libseccomp know by the same number.
  for (const arch of ['x86_64', 'aarch64']) {
    it(`holds for Docker's default profile (${arch})`, () => {
      const text = readFileSync(join(requireCorpus(), 'policies', 'docker-moby', 'default.json'), 'utf8');
      const resolved = resolveProfile(parseJson(text), 'default.json', { target: abi(arch), caps: DOCKER_DEFAULT_CAPS, kernel: { major: 6, minor: 1, patch: 0 } }).seccomp;
      const lib = libseccomp();
      // libseccomp resolves names on the host (x86_64 here) and translates them by name.
      const known = (n: string): boolean => syscallNumber('x86_64', n) !== undefined && lib.seccomp_syscall_resolve_name(n) === syscallNumber('x86_64', n);
      const profile: OciProfile = {
        defaultAction: resolved.defaultAction,
        ...(resolved.defaultErrnoRet === undefined ? {} : { defaultErrnoRet: resolved.defaultErrnoRet }),
        syscalls: resolved.syscalls
          .map((s) => ({ names: s.names.filter(known), action: s.action, ...(s.errnoRet === undefined ? {} : { errnoRet: s.errnoRet }), args: s.args.map((a) => ({ ...a })) }))
          .filter((s) => s.names.length > 0),
      };
      expect(profile.syscalls!.length).toBeGreaterThan(10);
      fc.assert(matchesPolicy(compileOci(profile, arch), { format: 'oci', profile }, { arch }), { numRuns: numRuns(20_000) });
    });
  }

  it('fails when a rule is lost', () => {
    const profile: OciProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0xffffffffn }] }] };
    const lost: OciProfile = { ...profile, syscalls: profile.syscalls!.slice(0, 1) };
    const program = loadOci(new TextEncoder().encode(ociProfileText(lost)), 'lost.json', { arch: abi('x86_64') }, {}).programs[0].program;
    expect(() => mustMatch(program, { format: 'oci', profile }, {})).toThrow(/personality.*filter returns ERRNO\(1\), the policy says ALLOW/);
  });
});

describe('matchesPolicy: the cellos baseline', () => {
  for (const arch of CELLOS_BASELINE_ARCHES) {
    it(`holds on ${arch}`, () => {
      fc.assert(matchesPolicy(cellosBaselineProgram(abi(arch)), { format: 'cellos-baseline' }, { arch }), { numRuns: numRuns(5000) });
    });
  }

  it('fails on a hand-made baseline that forgets kexec_load', () => {
    const program = cellosBaselineProgram(abi('x86_64'));
    // The last jeq/ret pair is kexec_load's: jump over its ret into ALLOW instead.
    const forgot = [...program.slice(0, -3), BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
    expect(CELLOS_BASELINE_SYSCALLS.at(-1)).toBe('kexec_load');
    const r = fc.check(matchesPolicy(forgot, { format: 'cellos-baseline' }, { arch: 'x86_64' }), { numRuns: 10_000 });
    expect(r.failed).toBe(true);
    expect(String(r.errorInstance)).toMatch(/nr 246 \(kexec_load\).*filter returns ALLOW, the policy says ERRNO\(1\)/);
  });
});
