// The oci format against the shared corpus: Docker's default profile
// compiled here through the system's libseccomp must be byte-for-byte the
// filter the corpus built with Debian's libseccomp 2.5.4, and must return
// each corpus case's raw value. The corpus is read in place.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archByName, compileFilter, encodeProgram, seccompData, seccompDataWords, type ArchInfo, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus, type CorpusCase } from '../../emulator/src/__test-helpers__/corpus.js';
import { numRuns } from '../../emulator/src/__test-helpers__/runs.js';
import { SeccheckError } from '../errors.js';
import { libseccompVersion, loadOci, looksLikeOci, type OciOptions } from './oci.js';

const CORPUS = requireCorpus();
const POLICIES = join(CORPUS, 'policies');
const X86_64 = archByName('x86_64') as ArchInfo;
const AARCH64 = archByName('aarch64') as ArchInfo;
/** What the corpus assumed (compiled/docker-moby/<arch>/resolve.json): Docker's default caps and a 6.1 kernel. */
const CORPUS_SETTINGS: OciOptions = { kernel: '6.1' };

const readJsonl = (file: string): CorpusCase[] =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as CorpusCase);

/** The value `program` returns for a corpus case, with the data laid out for the case's arch. */
function rawFor(fn: (w: Uint32Array) => number, c: CorpusCase): number {
  const arch = archByName(c.arch);
  if (!arch) throw new Error(`unknown arch ${c.arch}`);
  return fn(seccompDataWords(seccompData(c.nr, arch.auditArch, c.args.map((a) => BigInt(a)), BigInt(c.ip)), arch.endian)) >>> 0;
}

const enc = (o: unknown): Uint8Array => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));
const load = (o: unknown, oci: OciOptions = {}, arch: ArchInfo = X86_64) => loadOci(enc(o), 'p.json', { arch }, oci);

/** Run `fn`, expect a one-line SeccheckError, return its message. */
function seccheckError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SeccheckError);
    const m = (e as SeccheckError).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected a SeccheckError');
}

const run = (program: Insn[], nr: number, args: (number | bigint)[] = [], arch: ArchInfo = X86_64): number =>
  compileFilter(program)(seccompDataWords(seccompData(nr | arch.nrBits, arch.auditArch, args), arch.endian)) >>> 0;

describe('libseccomp', () => {
  it('is the Debian 2.5.4 the corpus was compiled with', () => {
    // The byte-for-byte comparisons below hold for this version; another one needs its own corpus build.
    expect(libseccompVersion()).toBe('2.5.4');
  });
});

describe.each([
  ['x86_64', X86_64, 'x86_64,x86,x32'],
  ['aarch64', AARCH64, 'aarch64,arm'],
])('Docker default profile for %s', (name, arch, arches) => {
  const dir = join(CORPUS, 'compiled', 'docker-moby', name, 'libseccomp-2.5.4-debian');
  const profile = readFileSync(join(POLICIES, 'docker-moby', 'default.json'));
  const filter = loadOci(profile, 'default.json', { arch }, CORPUS_SETTINGS);
  const cases = readJsonl(join(dir, 'cases.jsonl'));

  it('reproduces the corpus filter.bpf byte for byte', () => {
    const want = new Uint8Array(readFileSync(join(dir, 'filter.bpf')));
    const got = encodeProgram(filter.programs[0].program, 'little');
    expect(got.length).toBe(want.length);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });

  it('is one program for the target arch covering its sub-arches, with the facts in info', () => {
    expect(filter.format).toBe('oci');
    expect(filter.programs).toHaveLength(1);
    expect(filter.programs[0]).toMatchObject({ thread: null, arch });
    expect(filter.info).toMatchObject({ libseccomp: '2.5.4', runtime: 'crun', profile: 'docker', architectures: arches, kernel: '6.1' });
    // resolve.json's skipped_entries: the rules includes/excludes leave out.
    const resolve = JSON.parse(readFileSync(join(CORPUS, 'compiled', 'docker-moby', name, 'resolve.json'), 'utf8')) as { skipped_entries: unknown[] };
    expect(filter.info.rulesLeftOut).toBe(String(resolve.skipped_entries.length));
    // 2.5.4 drops the syscalls it does not know (the corpus README names mseal), with one warning.
    expect(filter.warnings).toHaveLength(1);
    expect(filter.warnings[0]).toMatch(/libseccomp 2\.5\.4 does not know 9 syscalls .*"mseal".*skipped/);
  });

  it(`returns each case's raw value (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(500);
    const fn = compileFilter(filter.programs[0].program);
    const bad = cases.filter((c) => rawFor(fn, c) !== Number(c.raw));
    expect(bad).toEqual([]);
  });

  it("runc's binary tree (more than 32 names) is a different program with the same answers", () => {
    const runc = loadOci(profile, 'default.json', { arch }, { ...CORPUS_SETTINGS, runtime: 'runc' });
    expect(runc.info).toMatchObject({ runtime: 'runc', optimize: 'binary tree', flags: 'SECCOMP_FILTER_FLAG_SPEC_ALLOW' });
    expect(encodeProgram(runc.programs[0].program)).not.toEqual(encodeProgram(filter.programs[0].program));
    const fn = compileFilter(runc.programs[0].program);
    expect(cases.filter((c) => rawFor(fn, c) !== Number(c.raw))).toEqual([]);
  });
});

describe('Docker profile resolution', () => {
  const profile = readFileSync(join(POLICIES, 'docker-moby', 'default.json'));
  const NR = { mount: 165, ptrace: 101, clone3: 435, arch_prctl: 158 };
  const ERRNO_EPERM = 0x00050001;
  const ALLOW = 0x7fff0000;

  it('takes caps from the options: CAP_SYS_ADMIN allows mount and lets clone3 through', () => {
    const dflt = loadOci(profile, 'd.json', { arch: X86_64 }, CORPUS_SETTINGS).programs[0].program;
    const admin = loadOci(profile, 'd.json', { arch: X86_64 }, { ...CORPUS_SETTINGS, caps: ['CAP_SYS_ADMIN', 'chown'] }).programs[0].program;
    expect(run(dflt, NR.mount)).toBe(ERRNO_EPERM);
    expect(run(admin, NR.mount)).toBe(ALLOW);
    expect(run(dflt, NR.clone3)).toBe(0x00050026); // ERRNO(ENOSYS), excluded with CAP_SYS_ADMIN
    expect(run(admin, NR.clone3)).toBe(ALLOW);
  });

  it('takes the kernel from the options: ptrace needs 4.8 (minKernel)', () => {
    expect(run(loadOci(profile, 'd.json', { arch: X86_64 }, { kernel: '4.7' }).programs[0].program, NR.ptrace)).toBe(ERRNO_EPERM);
    expect(run(loadOci(profile, 'd.json', { arch: X86_64 }, { kernel: '4.8.0-1-amd64' }).programs[0].program, NR.ptrace)).toBe(ALLOW);
    expect(run(loadOci(profile, 'd.json', { arch: X86_64 }, { kernel: { major: 6, minor: 1, patch: 0 } }).programs[0].program, NR.ptrace)).toBe(ALLOW);
  });

  it('defaults to the running kernel and the host arch', () => {
    const f = loadOci(profile, 'd.json', {});
    expect(f.programs[0].arch?.name).toBe(process.arch === 'arm64' ? 'aarch64' : 'x86_64');
    expect(f.info.kernel).toMatch(/^\d+\.\d+$/);
  });

  it('reads a profile wrapped in config.json the same as the bare object', () => {
    const bare = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
    const wrapped = { ociVersion: '1.0.2', process: { args: ['sh'] }, linux: { seccomp: bare } };
    expect(load(wrapped).programs[0].program).toEqual(load(bare).programs[0].program);
    expect(load(wrapped).info.profile).toBe('oci');
  });
});

describe('other OCI/Docker profiles in the corpus', () => {
  // Each loads, or fails with a clear one-line SeccheckError.
  const loads = [
    'docker-moby/fixtures/conditional_include.json',
    'docker-moby/fixtures/default-old-format.json',
    'podman-containers-common/seccomp.json',
    'podman-containers-common/fixtures/example.json',
    'apptainer/default.json',
    'flatpak/flatpak-docker-seccomp.json',
  ];
  it.each(loads)('%s compiles for x86_64 and aarch64', (file) => {
    for (const arch of [X86_64, AARCH64]) {
      const f = loadOci(readFileSync(join(POLICIES, file)), file, { arch }, CORPUS_SETTINGS);
      expect(f.programs[0].program.length).toBeGreaterThan(5);
      expect(f.programs[0].arch).toBe(arch);
      compileFilter(f.programs[0].program); // passes the kernel's checker
    }
  });

  it("podman's profile: ENOSYS by name (defaultErrno) as the default action", () => {
    const f = loadOci(readFileSync(join(POLICIES, 'podman-containers-common/seccomp.json')), 'seccomp.json', { arch: X86_64 }, CORPUS_SETTINGS);
    expect(run(f.programs[0].program, 999)).toBe(0x00050026); // not a syscall: the default
    expect(run(f.programs[0].program, 0)).toBe(0x7fff0000); // read
  });

  it("the old-format fixture for aarch64 keeps the runtime's native arch beside the listed x86 ones", () => {
    const f = loadOci(readFileSync(join(POLICIES, 'docker-moby/fixtures/default-old-format.json')), 'old.json', { arch: AARCH64 }, CORPUS_SETTINGS);
    expect(f.info.architectures).toBe('aarch64,x86_64,x86,x32');
    expect(f.warnings.some((w) => /does not list aarch64/.test(w))).toBe(true);
  });

  it("moby's example fixture: errnoRet 12345 is refused by libseccomp, as runc and crun would fail", () => {
    const m = seccheckError(() => loadOci(readFileSync(join(POLICIES, 'docker-moby/fixtures/example.json')), 'example.json', { arch: X86_64 }));
    expect(m).toBe('example.json:syscalls[3].errnoRet: errno 12345 is out of range: libseccomp 2.5.4 takes 0..4094');
  });
});

describe('OCI semantics', () => {
  const base = (syscalls: unknown[], extra: object = {}) => ({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, syscalls, ...extra });

  it('compares 64-bit values exactly (integers JSON.parse would round)', () => {
    const text = (v: string) => `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":${v},"op":"SCMP_CMP_EQ"}]}]}`;
    const max = load(text('18446744073709551615')).programs[0].program;
    const maxMinus1 = load(text('18446744073709551614')).programs[0].program;
    expect(max).not.toEqual(maxMinus1);
    expect(run(max, 16, [0, 0xffffffffffffffffn])).toBe(0x00050001);
    expect(run(max, 16, [0, 0xfffffffffffffffen])).toBe(0x7fff0000);
    expect(run(maxMinus1, 16, [0, 0xfffffffffffffffen])).toBe(0x00050001);
  });

  it('supports every operator, valueTwo included', () => {
    const ops: [string, number, number, number][] = [
      // op, value, an arg that matches, one that does not
      ['SCMP_CMP_NE', 5, 4, 5], ['SCMP_CMP_LT', 5, 4, 5], ['SCMP_CMP_LE', 5, 5, 6], ['SCMP_CMP_EQ', 5, 5, 4],
      ['SCMP_CMP_GE', 5, 5, 4], ['SCMP_CMP_GT', 5, 6, 5],
    ];
    for (const [op, value, yes, no] of ops) {
      const p = load(base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value, op }] }])).programs[0].program;
      expect([op, run(p, 0, [0, 0, yes])]).toEqual([op, 0x7fff0000]);
      expect([op, run(p, 0, [0, 0, no])]).toEqual([op, 0x00050001]);
    }
    const m = load(base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0xf0, valueTwo: 0x30, op: 'SCMP_CMP_MASKED_EQ' }] }])).programs[0].program;
    expect(run(m, 0, [0x3c])).toBe(0x7fff0000);
    expect(run(m, 0, [0x4c])).toBe(0x00050001);
  });

  it('maps actions and errnoRet as runc and crun do', () => {
    const p = load(base([
      { names: ['read'], action: 'SCMP_ACT_KILL' },
      { names: ['write'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['open'], action: 'SCMP_ACT_TRAP' },
      { names: ['close'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['stat'], action: 'SCMP_ACT_ERRNO' },
      { names: ['fstat'], action: 'SCMP_ACT_TRACE', errnoRet: 7 },
      { names: ['lstat'], action: 'SCMP_ACT_LOG' },
      { names: ['poll'], action: 'SCMP_ACT_NOTIFY' },
      { names: ['lseek'], action: 'SCMP_ACT_KILL_THREAD' },
    ], { defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: undefined })).programs[0].program;
    // x86_64: read 0, write 1, open 2, close 3, stat 4, fstat 5, lstat 6, poll 7, lseek 8; ERRNO without errnoRet is EPERM.
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((nr) => run(p, nr))).toEqual([
      0x00000000, 0x80000000, 0x00030000, 0x0005000d, 0x00050001, 0x7ff00007, 0x7ffc0000, 0x7fc00000, 0x00000000,
    ]);
  });

  it('skips a rule with the default action, and unknown names with one warning', () => {
    const f = load(base([{ names: ['read', 'no_such_call'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { names: ['write', 'nor_this'], action: 'SCMP_ACT_ALLOW' }]));
    expect(run(f.programs[0].program, 1)).toBe(0x7fff0000);
    expect(f.warnings).toEqual(['libseccomp 2.5.4 does not know syscall "nor_this": skipped, as runc and crun do']);
  });

  it('passes names to libseccomp as C strings: a NUL ends the name, as in both runtimes', () => {
    const f = load(base([{ names: ['write\u0000junk', '\ud800', 'caf\u00e9'], action: 'SCMP_ACT_ALLOW' }]));
    expect(run(f.programs[0].program, 1)).toBe(0x7fff0000);
    expect(f.warnings[0]).toBe('syscalls[0]: syscall name "write\\u0000junk" holds a NUL; libseccomp sees "write"');
    expect(f.warnings[1]).toMatch(/does not know 2 syscalls "\\ud800", "café"/);
  });

  it('ORs conditions on the same argument (one rule each), and warns', () => {
    const f = load(base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }] }]));
    expect([1, 2, 3].map((a) => run(f.programs[0].program, 0, [a]))).toEqual([0x7fff0000, 0x7fff0000, 0x00050001]);
    expect(f.warnings[0]).toMatch(/OR-ed, not AND-ed/);
    const and = load(base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_EQ' }] }]));
    expect([[1, 2], [1, 3], [2, 2]].map((a) => run(and.programs[0].program, 0, a))).toEqual([0x7fff0000, 0x00050001, 0x00050001]);
  });

  it('lets runc and crun differ where they do', () => {
    const errnoOnAllow = base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 5 }]);
    expect(seccheckError(() => load(errnoOnAllow))).toMatch(/syscalls\[0\]\.errnoRet: errnoRet given for SCMP_ACT_ALLOW.*crun refuses/);
    expect(load(errnoOnAllow, { runtime: 'runc' }).warnings[0]).toMatch(/errnoRet is ignored/);
    const empty = base([{ names: ['', 'read'], action: 'SCMP_ACT_ALLOW' }]);
    expect(load(empty).warnings[0]).toMatch(/does not know syscall ""/);
    expect(seccheckError(() => load(empty, { runtime: 'runc' }))).toMatch(/empty string is not a valid syscall/);
    expect(seccheckError(() => load({ defaultAction: 'SCMP_ACT_NOTIFY', syscalls: [] }, { runtime: 'runc' }))).toMatch(/cannot be the default action in runc/);
  });

  it('sets the bad-arch action when asked', () => {
    const p = load(base([]), { badArchAction: 'SCMP_ACT_KILL_PROCESS' }).programs[0].program;
    expect(run(p, 0, [], AARCH64)).toBe(0x80000000);
    expect(run(load(base([])).programs[0].program, 0, [], AARCH64)).toBe(0x00000000);
  });

  it('builds for a big-endian target in its byte order', () => {
    const s390x = archByName('s390x') as ArchInfo;
    const p = load(base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x1_0000_0002, op: 'SCMP_CMP_EQ' }] }]), {}, s390x).programs[0].program;
    expect(p[0]).toMatchObject({ code: 0x20, k: 4 }); // LD [4]: seccomp_data.arch
    expect(run(p, 3, [0x1_0000_0002n], s390x)).toBe(0x7fff0000); // read is 3 on s390x
    expect(run(p, 3, [2], s390x)).toBe(0x00050001);
  });
});

describe('malformed input is a one-line SeccheckError', () => {
  const good = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] };
  const withArg = (arg: object) => ({ ...good, syscalls: [{ ...good.syscalls[0], args: [{ ...good.syscalls[0].args[0], ...arg }] }] });
  const cases: [string, unknown, RegExp][] = [
    ['bad JSON', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [,]\n}', /^p\.json:3: bad JSON at column 16: unexpected ",", expected a value$/],
    ['trailing garbage', '{"defaultAction":"SCMP_ACT_ERRNO"} x', /^p\.json:1: bad JSON .*after the JSON value/],
    ['not an object', '[1,2]', /^p\.json: expected a JSON object/],
    ['missing defaultAction', { syscalls: [] }, /^p\.json:defaultAction: missing, and there are no syscalls/],
    ['wrong type for defaultAction', { defaultAction: 7 }, /^p\.json:defaultAction: expected a string, got a number$/],
    ['unknown default action', { defaultAction: 'SCMP_ACT_MAYBE' }, /^p\.json:defaultAction: unknown action "SCMP_ACT_MAYBE"/],
    ['unknown rule action', { ...good, syscalls: [{ names: ['read'], action: 'ALLOW' }] }, /^p\.json:syscalls\[0\]\.action: unknown action "ALLOW"/],
    ['missing rule action', { ...good, syscalls: [{ names: ['read'] }] }, /^p\.json:syscalls\[0\]\.action: missing/],
    ['names not a list', { ...good, syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] }, /^p\.json:syscalls\[0\]\.names: expected an array, got a string$/],
    ['syscalls not a list', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: {} }, /^p\.json:syscalls: expected an array, got an object$/],
    ['unknown arch', { ...good, architectures: ['SCMP_ARCH_VAX'] }, /^p\.json:architectures\[0\]: unknown architecture "SCMP_ARCH_VAX"/],
    ['mixed byte orders', { ...good, architectures: ['SCMP_ARCH_S390X'] }, /^p\.json:architectures\[0\]: SCMP_ARCH_S390X cannot share a filter with x86_64/],
    ['bad op', withArg({ op: 'SCMP_CMP_LIKE' }), /^p\.json:syscalls\[0\]\.args\[0\]\.op: unknown operator "SCMP_CMP_LIKE"/],
    ['missing op', withArg({ op: null }), /^p\.json:syscalls\[0\]\.args\[0\]\.op: missing/],
    ['arg index 6', withArg({ index: 6 }), /^p\.json:syscalls\[0\]\.args\[0\]\.index: argument index 6 is out of range 0\.\.5/],
    ['negative index', withArg({ index: -1 }), /^p\.json:syscalls\[0\]\.args\[0\]\.index: -1 is out of range/],
    ['fractional value', withArg({ value: 1.5 }), /^p\.json:syscalls\[0\]\.args\[0\]\.value: expected an unsigned integer, got 1\.5$/],
    ['value past 64 bits', '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"}]}]}', /value: 18446744073709551616 is out of range 0\.\.18446744073709551615$/],
    ['errno out of range', { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 4095 }, /^p\.json:defaultErrnoRet: errno 4095 is out of range/],
    ['unknown flag', { ...good, flags: ['SECCOMP_FILTER_FLAG_FAST'] }, /^p\.json:flags\[0\]: unknown flag/],
    ['archMap with architectures', { ...good, architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }, /^p\.json:archMap: both 'architectures' and 'archMap'/],
    ['name and names', { ...good, syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }] }, /^p\.json:syscalls\[0\]: both 'name' and 'names'/],
    ['bad minKernel', { ...good, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6' } }] }, /^p\.json:syscalls\[0\]\.includes\.minKernel: invalid kernel version "6"/],
    ['minKernel 0.0', { ...good, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '0.0' } }] }, /version cannot be 0\.0$/],
    ['unknown errno name', { ...good, defaultErrno: 'EWHATEVER' }, /^p\.json:defaultErrno: unknown errno "EWHATEVER"$/],
    ['conflicting rules', { ...good, syscalls: [good.syscalls[0], { ...good.syscalls[0], action: 'SCMP_ACT_KILL' }] }, /^p\.json:syscalls\[1\]: libseccomp 2\.5\.4 refused the rule for "read": EEXIST/],
    ['config.json without seccomp', { ociVersion: '1.0.2', linux: { namespaces: [] } }, /^p\.json:linux\.seccomp: this config\.json has no seccomp section/],
    ['config.json path in places', { linux: { seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'X' }] } } }, /^p\.json:linux\.seccomp\.syscalls\[0\]\.action: unknown action "X"/],
  ];
  it.each(cases)('%s', (_, input, message) => {
    expect(seccheckError(() => load(input))).toMatch(message);
  });

  it('non-UTF-8 bytes', () => {
    expect(seccheckError(() => loadOci(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'p.json', {}))).toBe('p.json: not UTF-8 text, so not a JSON seccomp profile');
  });

  it('options: a bad kernel version names the option', () => {
    expect(seccheckError(() => load(good, { kernel: 'latest' }))).toMatch(/^kernel: "latest" is not a kernel version/);
  });
});

describe('looksLikeOci', () => {
  it('knows profiles and config.json files, and nothing else', () => {
    expect(looksLikeOci(readFileSync(join(POLICIES, 'docker-moby', 'default.json')))).toBe(true);
    expect(looksLikeOci(readFileSync(join(POLICIES, 'podman-containers-common', 'seccomp.json')))).toBe(true);
    expect(looksLikeOci(enc({ ociVersion: '1.0.2', linux: { seccomp: { defaultAction: 'SCMP_ACT_ALLOW' } } }))).toBe(true);
    expect(looksLikeOci(readFileSync(join(POLICIES, 'firecracker', 'x86_64-unknown-linux-musl.json')))).toBe(false);
    expect(looksLikeOci(enc({ linux: { seccomp: null } }))).toBe(false);
    expect(looksLikeOci(enc([{ defaultAction: 'x' }]))).toBe(false);
    expect(looksLikeOci(enc('{"defaultAction":'))).toBe(false);
    expect(looksLikeOci(new Uint8Array([0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00]))).toBe(false);
  });
});

describe('fuzzing loadOci', () => {
  const outcomes = { filters: 0, errors: 0 };
  const onlySeccheckErrors = (bytes: Uint8Array, oci: OciOptions = {}): void => {
    try {
      const f = loadOci(bytes, 'fuzz.json', { arch: X86_64 }, oci);
      expect(f.programs).toHaveLength(1);
      compileFilter(f.programs[0].program); // what libseccomp emitted passes the kernel's checker
      outcomes.filters++;
    } catch (e) {
      if (!(e instanceof SeccheckError)) throw e;
      expect(e.message).not.toContain('\n');
      outcomes.errors++;
    }
  };

  it('random bytes give a filter or a SeccheckError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlySeccheckErrors(b)), { numRuns: numRuns(300) });
  });

  it('random JSON gives a filter or a SeccheckError', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => onlySeccheckErrors(enc(v))), { numRuns: numRuns(300) });
  });

  it('random near-profiles give a filter or a SeccheckError', () => {
    outcomes.filters = 0;
    outcomes.errors = 0;
    const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    // Mostly well-typed values, with a tenth of anything-goes.
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: a, weight: 9 }, { arbitrary: anything, weight: 1 });
    const action = maybe(fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_TRACE', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP'));
    const u64 = maybe(fc.oneof(fc.integer({ min: 0, max: 70 }), fc.bigInt({ min: 0n, max: (1n << 64n) + 5n }), fc.integer({ min: -3, max: 5000 })));
    const arg = fc.record({ index: maybe(fc.integer({ min: 0, max: 7 })), value: u64, valueTwo: u64, op: maybe(fc.constantFrom('SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ')) }, { requiredKeys: [] });
    const names = maybe(fc.array(fc.oneof(fc.constantFrom('read', 'write', 'open', 'clone', 'socket', 'mseal', 'breakpoint', ''), fc.string({ maxLength: 6 })), { maxLength: 4 }));
    const filter = maybe(fc.record({ arches: maybe(fc.array(fc.constantFrom('amd64', 'arm64', 'x86'))), caps: maybe(fc.array(fc.constantFrom('CAP_SYS_ADMIN', 'CAP_CHOWN'))), minKernel: maybe(fc.constantFrom('4.8', '', '6.99', '1', '0.0')) }, { requiredKeys: [] }));
    const rare = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: a, weight: 1 });
    const rule = fc.record({ names, name: rare(fc.constantFrom('read', '')), action, errnoRet: rare(u64), args: maybe(fc.array(arg, { maxLength: 8 })), includes: rare(filter), excludes: rare(filter) }, { requiredKeys: ['names', 'action'] });
    const arches = maybe(fc.array(fc.constantFrom('SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_NOPE'), { maxLength: 3 }));
    const archField = fc.oneof(
      fc.record({ architectures: arches }),
      fc.record({ archMap: maybe(fc.array(fc.record({ architecture: maybe(fc.constantFrom('SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64')), subArchitectures: arches }, { requiredKeys: [] }), { maxLength: 2 })) }),
      fc.constant({}),
    );
    const profile = fc.tuple(fc.record({
      defaultAction: action, defaultErrnoRet: rare(u64), flags: rare(fc.array(fc.constantFrom('SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_X'))),
      syscalls: maybe(fc.array(rule, { maxLength: 12 })), // up to 48 names: runc's binary tree starts above 32
    }, { requiredKeys: ['defaultAction', 'syscalls'] }), archField).map(([p, a]) => ({ ...p, ...a }));
    const json = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `@@${x}@@` : x)).replace(/"@@(\d+)@@"/g, '$1');
    fc.assert(
      fc.property(profile, fc.constantFrom<OciOptions>({}, { runtime: 'runc' }, { caps: ['CAP_SYS_ADMIN'], kernel: '4.0' }), (p, oci) => onlySeccheckErrors(enc(json(p)), oci)),
      { numRuns: numRuns(400) },
    );
    // Both ends were reached: profiles that compile and profiles that are refused.
    expect(outcomes.filters).toBeGreaterThan(20);
    expect(outcomes.errors).toBeGreaterThan(20);
  });
});
