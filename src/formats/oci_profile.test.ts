// Docker profile resolution (moby profiles/seccomp setupSeccomp): archMap,
// includes/excludes by arch, capabilities and kernel. No libseccomp here.
import { describe, expect, it } from 'vitest';
import { archByName, type ArchInfo } from 'unicorn-bpf-emulator';
import { DOCKER_DEFAULT_CAPS, mobyArchName, resolveProfile, type ResolveContext } from './oci_profile.js';
import type { JsonValue } from './oci_json.js';

const arch = (n: string) => archByName(n) as ArchInfo;
const ctx = (over: Partial<ResolveContext> = {}): ResolveContext => ({ target: arch('x86_64'), caps: DOCKER_DEFAULT_CAPS, kernel: { major: 6, minor: 1, patch: 0 }, ...over });
const names = (profile: JsonValue, c: ResolveContext = ctx()) => resolveProfile(profile, 'p.json', c).seccomp.syscalls.flatMap((s) => s.names);

const rule = (n: string, extra: object = {}) => ({ names: [n], action: 'SCMP_ACT_ALLOW', ...extra });
const profile = (...syscalls: object[]): JsonValue => ({ defaultAction: 'SCMP_ACT_ERRNO', syscalls } as unknown as JsonValue);

describe('resolveProfile', () => {
  it('picks the archMap entry of the target arch', () => {
    const p = { defaultAction: 'SCMP_ACT_ERRNO', archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    ], syscalls: [] };
    expect(resolveProfile(p, 'p.json', ctx()).seccomp.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(resolveProfile(p, 'p.json', ctx({ target: arch('aarch64') })).seccomp.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    const r = resolveProfile(p, 'p.json', ctx({ target: arch('riscv64') }));
    expect(r.seccomp.architectures).toEqual([]);
    expect(r.warnings[0]).toMatch(/archMap has no entry for SCMP_ARCH_RISCV64/);
  });

  it('matches includes/excludes.arches with Go arch names (amd64, arm64)', () => {
    expect(mobyArchName(arch('x86_64'))).toBe('amd64');
    expect(mobyArchName(arch('aarch64'))).toBe('arm64');
    expect(mobyArchName(arch('x86'))).toBe('x86');
    const p = profile(rule('arch_prctl', { includes: { arches: ['amd64', 'x32'] } }), rule('set_tls', { includes: { arches: ['arm', 'arm64'] } }), rule('clone', { excludes: { arches: ['s390x'] } }));
    expect(names(p)).toEqual(['arch_prctl', 'clone']);
    expect(names(p, ctx({ target: arch('aarch64') }))).toEqual(['set_tls', 'clone']);
    expect(names(p, ctx({ target: arch('s390x') }))).toEqual([]);
  });

  it('needs every includes cap and drops on any excludes cap', () => {
    const p = profile(rule('a', { includes: { caps: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'] } }), rule('b', { excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } }));
    expect(names(p)).toEqual(['b']);
    expect(names(p, ctx({ caps: ['CAP_SYS_ADMIN'] }))).toEqual([]);
    expect(names(p, ctx({ caps: ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'] }))).toEqual(['a']);
  });

  it('compares minKernel on major.minor only; "" is 0.0', () => {
    const p = profile(rule('a', { includes: { minKernel: '6.2' } }), rule('b', { excludes: { minKernel: '5.10' } }), rule('c', { includes: { minKernel: '' } }));
    expect(names(p, ctx({ kernel: { major: 6, minor: 1, patch: 99 } }))).toEqual(['c']);
    expect(names(p, ctx({ kernel: { major: 5, minor: 9, patch: 0 } }))).toEqual(['b', 'c']);
    expect(names(p, ctx({ kernel: { major: 6, minor: 2, patch: 0 } }))).toEqual(['a', 'c']);
  });

  it('tells why each rule was left out', () => {
    const r = resolveProfile(profile(rule('mount', { includes: { caps: ['CAP_SYS_ADMIN'] } }), rule('x', { excludes: { minKernel: '4.0' } })), 'p.json', ctx());
    expect(r.dropped).toEqual([
      { place: 'syscalls[0]', names: ['mount'], reason: 'includes.caps: the container lacks CAP_SYS_ADMIN' },
      { place: 'syscalls[1]', names: ['x'], reason: 'excludes.minKernel 4.0: the kernel is 6.1' },
    ]);
    expect(r.kind).toBe('docker');
  });

  it('reads the old single-name form and podman errno names', () => {
    const r = resolveProfile({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrno: 'ENOSYS', syscalls: [{ name: 'read', action: 'SCMP_ACT_ERRNO', errno: 'EACCES' }, { names: ['write'], action: 'SCMP_ACT_ERRNO', errno: '12' }] }, 'p.json', ctx());
    expect(r.seccomp.defaultErrnoRet).toBe(38);
    expect(r.seccomp.syscalls.map((s) => [s.names, s.errnoRet])).toEqual([[['read'], 13], [['write'], 12]]);
  });

  it('leaves a plain OCI object as it is', () => {
    const oci = { defaultAction: 'SCMP_ACT_KILL_PROCESS', defaultErrnoRet: 5, architectures: ['SCMP_ARCH_X86_64'], flags: [], listenerPath: '/run/x.sock', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 2, valueTwo: 3, op: 'SCMP_CMP_MASKED_EQ' }] }] };
    const r = resolveProfile(oci, 'p.json', ctx());
    expect(r.kind).toBe('oci');
    expect(r.seccomp).toEqual({
      defaultAction: 'SCMP_ACT_KILL_PROCESS', defaultErrnoRet: 5, architectures: ['SCMP_ARCH_X86_64'], flags: [], listenerPath: '/run/x.sock',
      syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: undefined, args: [{ index: 1, value: 2n, valueTwo: 3n, op: 'SCMP_CMP_MASKED_EQ' }], place: 'syscalls[0]' }],
    });
  });
});
