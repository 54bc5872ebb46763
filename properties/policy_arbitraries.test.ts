// The policy arbitraries stay within each format's rules (every policy
// compiles), produce the tricky shapes, and shrink to small policies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archByName, type ArchInfo } from 'unicorn-bpf-emulator';
import { numRuns } from '../emulator/src/__test-helpers__/runs.js';
import { loadOci } from '../src/formats/oci.js';
import { compileSeccompiler } from '../src/formats/seccompiler.js';
import { ociProfileText, type OciProfile } from './_internals/policy_oci.js';
import { seccompilerJsonText, type SeccompilerDoc } from './_internals/policy_seccompiler.js';
import { ociProfile, seccompilerPolicy, type SeccompilerPolicy } from './policy.js';

const abi = (n: string): ArchInfo => archByName(n) as ArchInfo;
const docOf = (p: SeccompilerPolicy): SeccompilerDoc => p.json as SeccompilerDoc;

/** Syscalls of a thread that have entries both with and without args. */
function mixedSyscalls(doc: SeccompilerDoc): string[] {
  const out: string[] = [];
  for (const t of Object.values(doc)) {
    const withArgs = new Set(t.filter.filter((r) => r.args).map((r) => r.syscall));
    for (const r of t.filter) if (!r.args && withArgs.has(r.syscall)) out.push(r.syscall);
  }
  return out;
}

describe('seccompilerPolicy', () => {
  for (const arch of ['x86_64', 'aarch64']) {
    it(`every policy compiles with seccheck's seccompiler compiler (${arch})`, () => {
      fc.assert(
        fc.property(seccompilerPolicy({ arch }), (p) => {
          const text = seccompilerJsonText(docOf(p));
          const { programs } = compileSeccompiler(text, 'random.json', abi(arch));
          expect([...programs.keys()].sort()).toEqual(Object.keys(docOf(p)).sort());
          expect(programs.has(p.thread)).toBe(true);
        }),
        { numRuns: numRuns(300) },
      );
    });
  }

  it('produces the tricky shapes often', () => {
    const sample = fc.sample(seccompilerPolicy(), { numRuns: 1000, seed: 7 }).map(docOf);
    const share = (f: (d: SeccompilerDoc) => boolean): number => sample.filter(f).length / sample.length;
    const conds = (d: SeccompilerDoc) => Object.values(d).flatMap((t) => t.filter.flatMap((r) => r.args ?? []));
    expect(share((d) => mixedSyscalls(d).length > 0)).toBeGreaterThan(0.2);
    expect(share((d) => Object.keys(d).length > 1)).toBeGreaterThan(0.3);
    expect(share((d) => conds(d).some((c) => c.type === 'dword' && BigInt(c.val) > 0xffffffffn))).toBeGreaterThan(0.2);
    expect(share((d) => conds(d).some((c) => typeof c.op === 'object'))).toBeGreaterThan(0.1);
    expect(share((d) => Object.values(d).some((t) => t.filter.some((r) => (r.args?.length ?? 0) >= 35)))).toBeGreaterThan(0.01);
  });

  it('mixedEntries: false leaves no syscall with entries both with and without args', () => {
    fc.assert(fc.property(seccompilerPolicy({ mixedEntries: false }), (p) => {
      expect(mixedSyscalls(docOf(p))).toEqual([]);
    }), { numRuns: numRuns(300) });
  });

  it('writes 64-bit values exactly', () => {
    const doc: SeccompilerDoc = { t: { mismatch_action: 'trap', match_action: 'allow', filter: [{ syscall: 'read', args: [{ index: 0, type: 'qword', op: 'eq', val: 18446744073709551615n }] }] } };
    expect(seccompilerJsonText(doc)).toContain('"val":18446744073709551615');
  });

  it('shrinks to a small policy', () => {
    // A predicate that fails on any syscall with entries both with and without args.
    const r = fc.check(fc.property(seccompilerPolicy(), (p) => mixedSyscalls(docOf(p)).length === 0), { numRuns: 1000, seed: 3 });
    expect(r.failed).toBe(true);
    const [p] = r.counterexample as [SeccompilerPolicy];
    const doc = docOf(p);
    expect(Object.keys(doc)).toHaveLength(1);
    const [t] = Object.values(doc);
    expect(t.filter).toHaveLength(2);
    expect(t.filter.flatMap((e) => e.args ?? [])).toHaveLength(1);
  });
});

describe('ociProfile', () => {
  for (const arch of ['x86_64', 'aarch64']) {
    it(`every profile compiles through the OCI/libseccomp path (${arch})`, () => {
      fc.assert(
        fc.property(ociProfile({ arch }), (p) => {
          const f = loadOci(new TextEncoder().encode(ociProfileText(p.profile as OciProfile)), 'random.json', { arch: abi(arch) }, {});
          expect(f.programs).toHaveLength(1);
          // Every name is one libseccomp knows, and no two args of a rule test one argument.
          expect(f.warnings.filter((w) => !/keeps only its low 16 bits/.test(w))).toEqual([]);
        }),
        { numRuns: numRuns(300) },
      );
    });
  }

  it('writes 64-bit values exactly and produces same-syscall families', () => {
    const sample = fc.sample(ociProfile(), { numRuns: 500, seed: 5 }).map((p) => p.profile as OciProfile);
    const families = sample.filter((p) => {
      const seen = new Map<string, Set<string>>();
      for (const s of p.syscalls ?? []) for (const n of s.names) seen.set(n, (seen.get(n) ?? new Set()).add(s.action));
      return [...seen.values()].some((acts) => acts.size > 1);
    });
    expect(families.length / sample.length).toBeGreaterThan(0.1);
    expect(ociProfileText({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_TRAP', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1n << 63n }] }] }))
      .toContain('"value":9223372036854775808');
  });
});
