// Testing your filter in vitest with seccheck/properties: the README's
// example, run by `npm test`. Each property is a fast-check property; a
// failure prints the seed and a concrete seccomp_data counterexample.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeProgram } from 'unicorn-bpf-emulator';
import { alwaysAction, archGuard, i386Handled, x32Guard } from 'seccheck/properties';

// The bundled example and Docker's default profile as libseccomp compiles it
// (from the shared corpus, read in place).
const denyGetpid = decodeProgram(readFileSync(new URL('./deny-getpid.bpf', import.meta.url)));
const corpus = process.env.SECCHECK_CORPUS ?? new URL('../../shared/corpus', import.meta.url).pathname;
const docker = decodeProgram(readFileSync(`${corpus}/compiled/docker-moby/x86_64/libseccomp-2.5.4-debian/filter.bpf`));

describe('examples/deny-getpid.bpf', () => {
  it('denies getpid with EPERM whatever the arguments', () => {
    fc.assert(alwaysAction(denyGetpid, { arch: 'x86_64', syscall: 'getpid' }, 'ERRNO(EPERM)'));
  });
  it('lets getppid through', () => {
    fc.assert(alwaysAction(denyGetpid, { arch: 'x86_64', syscall: 'getppid' }, 'ALLOW'));
  });
  it('kills every other arch, x32 callers included', () => {
    fc.assert(archGuard(denyGetpid, { allowed: ['x86_64'], action: 'KILL_PROCESS' }));
    fc.assert(x32Guard(denyGetpid));
  });
});

describe("Docker's default profile (x86_64, libseccomp 2.5.4)", () => {
  it('lets only the x86_64, i386 and x32 ABIs in', () => {
    fc.assert(archGuard(docker, { allowed: ['x86_64', 'x86', 'x32'] }));
  });
  it('handles i386 callers in their own branch', () => {
    fc.assert(i386Handled(docker));
  });
  it('denies kexec_load, whatever the arguments', () => {
    fc.assert(alwaysAction(docker, { arch: 'x86_64', syscall: 'kexec_load' }, 'deny'));
  });
});
