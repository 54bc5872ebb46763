// cellos-supervisor 0.5.1: the baseline program byte for byte, every rule of
// CELLOS_SUBPROCESS_SECCOMP / CELLOS_SECCOMP_BPF_PATH, and where cellos's
// length-only validation and the kernel's checker disagree.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  archByName, BPF_JUMP, BPF_STMT, compileFilter, decodeAction, encodeProgram, FilterStack, OP, seccompData, seccompDataWords, type Insn,
} from 'unicorn-bpf-emulator';
import { syscallNumber, syscallTableArches } from '../arch/syscalls.js';
import { SeccheckError } from '../errors.js';
import {
  CELLOS_BASELINE_SYSCALLS, cellosBaselineProgram, cellosBaselineSyscallNumber, cellosChoice, cellosValidateBytes, loadCellos, rustDebugStr,
} from './cellos.js';

const dir = mkdtempSync(join(tmpdir(), 'seccheck-cellos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array): string => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};
const arch = (name: string) => archByName(name)!;

// The seed's baseline (baseline_seccomp_program, lines 147-166), written out by hand:
// BPF_LD+BPF_W+BPF_ABS = 0x20, BPF_JMP+BPF_JEQ+BPF_K = 0x15, BPF_RET+BPF_K = 0x06.
const expectedBaseline = (auditArch: number, nrs: number[]): [number, number, number, number][] => [
  [0x20, 0, 0, 4],
  [0x15, 1, 0, auditArch],
  [0x06, 0, 0, 0x80000000],
  [0x20, 0, 0, 0],
  ...nrs.flatMap((nr): [number, number, number, number][] => [[0x15, 0, 1, nr], [0x06, 0, 0, 0x00050001]]),
  [0x06, 0, 0, 0x7fff0000],
];
const tuples = (p: Insn[]) => p.map((i) => [i.code, i.jt, i.jf, i.k]);

// libc::SYS_* in baseline_blocked_syscalls' order.
const X86_64 = [101, 310, 311, 321, 298, 250, 248, 249, 165, 166, 155, 308, 272, 175, 313, 176, 246];
const AARCH64 = [117, 270, 271, 280, 241, 219, 217, 218, 40, 39, 41, 268, 97, 105, 273, 106, 104];

describe('cellos baseline program', () => {
  it('x86_64: 39 instructions, byte for byte as the seed builds them', () => {
    const p = cellosBaselineProgram(arch('x86_64'));
    expect(tuples(p)).toEqual(expectedBaseline(0xc000003e, X86_64));
    const bytes = encodeProgram(p, 'little');
    expect(bytes.length).toBe(312);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0x20, 0, 0, 0, 4, 0, 0, 0, 0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0]);
    expect(Array.from(bytes.subarray(bytes.length - 8))).toEqual([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);
  });

  it('aarch64: AUDIT_ARCH_AARCH64 and the generic syscall numbers', () => {
    expect(tuples(cellosBaselineProgram(arch('aarch64')))).toEqual(expectedBaseline(0xc00000b7, AARCH64));
  });

  it('its syscall numbers agree with seccheck\'s tables (x86_64, aarch64, and the x32 build)', () => {
    for (const a of ['x86_64', 'aarch64', 'x32']) {
      if (!syscallTableArches().includes(a)) continue;
      for (const name of CELLOS_BASELINE_SYSCALLS) expect([a, name, cellosBaselineSyscallNumber(a, name)]).toEqual([a, name, syscallNumber(a, name)! >>> 0]);
    }
    expect(syscallTableArches()).toContain('x86_64');
  });

  it('other arches fail as the seed does', () => {
    expect(() => cellosBaselineProgram(arch('arm'))).toThrow(/^cellos: bundled baseline seccomp profile currently supports x86_64 and aarch64 only/);
    expect(() => loadCellos({ env: { CELLOS_SUBPROCESS_SECCOMP: 'baseline' }, arch: arch('s390x') })).toThrow(SeccheckError);
  });

  it('does what it says on the emulator: EPERM for the denylist, ALLOW otherwise, KILL_PROCESS for another arch; x32 slips through', () => {
    const stack = new FilterStack([compileFilter(cellosBaselineProgram(arch('x86_64')))]);
    const run = (nr: number, auditArch = 0xc000003e) => decodeAction(stack.run(seccompDataWords(seccompData(nr, auditArch))).raw);
    for (const nr of X86_64) expect(run(nr)).toMatchObject({ kind: 'ERRNO', data: 1 });
    expect(run(39).kind).toBe('ALLOW');
    expect(run(21, 0x40000003).kind).toBe('KILL_PROCESS');
    // x32 mount: AUDIT_ARCH_X86_64, nr 0x40000000 | 165: allowed. The loader warns about it.
    expect(run(0x40000000 | 165).kind).toBe('ALLOW');
    expect(loadCellos({ env: { CELLOS_SUBPROCESS_SECCOMP: 'baseline' }, arch: arch('x86_64') }).warnings.join('\n')).toMatch(/x32/);
    expect(loadCellos({ env: { CELLOS_SUBPROCESS_SECCOMP: 'baseline' }, arch: arch('aarch64') }).warnings).toEqual([]);
  });
});

describe('CELLOS_SUBPROCESS_SECCOMP and CELLOS_SECCOMP_BPF_PATH (seccomp_selection_from_env, load_seccomp_program_from_env)', () => {
  const P = 'CELLOS_SUBPROCESS_SECCOMP';
  const B = 'CELLOS_SECCOMP_BPF_PATH';
  const kind = (env: Record<string, string>) => cellosChoice(env).kind;
  const err = (env: Record<string, string>): string => {
    try {
      cellosChoice(env);
    } catch (e) {
      if (e instanceof SeccheckError) return e.message;
      throw e;
    }
    throw new Error('no error');
  };

  it('unset, empty, 0, off, none (trimmed, ASCII case ignored) disable seccomp', () => {
    for (const v of ['', '   ', '0', 'off', 'OFF', 'Off', 'none', 'NONE', ' none\t', '\noff\n']) expect([v, kind({ [P]: v })]).toEqual([v, 'disabled']);
    expect(kind({})).toBe('disabled');
  });

  it('1, default, baseline select the baseline', () => {
    for (const v of ['1', 'default', 'DEFAULT', 'baseline', 'BaseLine', ' baseline ', '\tbaseline\r\n']) expect([v, kind({ [P]: v })]).toEqual([v, 'baseline']);
  });

  it('bpf, path, file with a path select the file; without one they are an error', () => {
    for (const v of ['bpf', 'BPF', 'path', 'Path', 'file', ' FILE ']) {
      expect(cellosChoice({ [P]: v, [B]: '/x.bpf' })).toEqual({ kind: 'file', path: '/x.bpf', legacy: false, profile: v });
      expect(err({ [P]: v })).toBe('cellos: CELLOS_SUBPROCESS_SECCOMP=bpf requires CELLOS_SECCOMP_BPF_PATH');
      expect(err({ [P]: v, [B]: '' })).toMatch(/requires CELLOS_SECCOMP_BPF_PATH/); // empty is unset
    }
  });

  it('a path alone is used as a file, even with CELLOS_SUBPROCESS_SECCOMP=off or 0', () => {
    expect(cellosChoice({ [B]: '/x.bpf' })).toEqual({ kind: 'file', path: '/x.bpf', legacy: true, profile: undefined });
    expect(cellosChoice({ [P]: 'off', [B]: '/x.bpf' })).toMatchObject({ kind: 'file', legacy: true });
    expect(cellosChoice({ [P]: '0', [B]: '/x.bpf' })).toMatchObject({ kind: 'file', legacy: true });
    // The path is not trimmed.
    expect(cellosChoice({ [B]: ' /x.bpf ' })).toMatchObject({ path: ' /x.bpf ' });
  });

  it('baseline with a path is an error', () => {
    expect(err({ [P]: 'baseline', [B]: '/x.bpf' })).toBe('cellos: CELLOS_SUBPROCESS_SECCOMP=baseline cannot be combined with CELLOS_SECCOMP_BPF_PATH (/x.bpf)');
    expect(err({ [P]: '1', [B]: '/x.bpf' })).toMatch(/cannot be combined/);
  });

  it('anything else is an error with the seed\'s message (Rust {:?} of the trimmed value)', () => {
    expect(err({ [P]: 'nope' })).toBe('cellos: CELLOS_SUBPROCESS_SECCOMP must be one of: 1, default, baseline, bpf, 0, off, none (got "nope")');
    // "empty", "true", "on", "yes", "2" are not words the seed knows.
    for (const v of ['empty', 'true', 'on', 'yes', '2', 'baselines', 'off-', ' x "y" ']) expect(err({ [P]: v })).toMatch(/must be one of/);
    expect(err({ [P]: ' a"b\\c\n' })).toMatch(/\(got "a\\"b\\\\c"\)$/);
    expect(rustDebugStr('t\u0001')).toBe('"t\\u{1}"');
  });

  it('trims as Rust\'s str::trim (U+0085 yes, U+FEFF no) and folds ASCII case only', () => {
    expect(kind({ [P]: '\u0085baseline\u3000' })).toBe('baseline');
    expect(err({ [P]: '\uFEFFbaseline' })).toMatch(/must be one of/);
    expect(err({ [P]: 'BASELİNE' })).toMatch(/must be one of/); // U+0130 is not ASCII
  });

  it('any environment: cellosChoice returns or throws a one-line SeccheckError', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (p, b) => {
        try {
          cellosChoice({ [P]: p, [B]: b });
        } catch (e) {
          expect(e).toBeInstanceOf(SeccheckError);
        }
      }),
    );
  });
});

describe('cellos file validation against the kernel\'s checker', () => {
  const RET_ALLOW = BPF_STMT(OP.RET_K, 0x7fff0000);
  const load = (path: string) => loadCellos({ env: { CELLOS_SECCOMP_BPF_PATH: path } });

  it('validate_seccomp_bpf_bytes: non-empty, a multiple of 8, at most 32768 bytes; nothing else', () => {
    expect(cellosValidateBytes(0)).toBe('seccomp BPF program is empty');
    expect(cellosValidateBytes(7)).toBe('seccomp BPF length 7 is not a multiple of 8 (sock_filter size)');
    expect(cellosValidateBytes(8)).toBeNull();
    expect(cellosValidateBytes(32768)).toBeNull();
    expect(cellosValidateBytes(32776)).toBe('seccomp BPF program too large (max 32768 bytes)');
  });

  it('files cellos refuses are one-line errors naming the file', () => {
    expect(() => load(file('empty.bpf', new Uint8Array(0)))).toThrow(/empty\.bpf: cellos rejects it: seccomp BPF program is empty$/);
    expect(() => load(file('twelve.bpf', new Uint8Array(12)))).toThrow(/twelve\.bpf: cellos rejects it: seccomp BPF length 12 is not a multiple of 8/);
    expect(() => load(file('big.bpf', encodeProgram(Array(4097).fill(RET_ALLOW))))).toThrow(/too large \(max 32768 bytes\)/);
    expect(() => load(join(dir, 'missing.bpf'))).toThrow(/missing\.bpf: CELLOS_SECCOMP_BPF_PATH: no such file$/);
  });

  it('8 zero bytes pass cellos, but seccomp(2) says EINVAL: reported with the kernel\'s reason', () => {
    const loaded = load(file('zeros.bpf', new Uint8Array(8)));
    expect(loaded.programs[0].program).toHaveLength(1);
    expect(loaded.info.kernelAccepts).toBe('false');
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/^cellos accepts these 8 bytes .* but seccomp\(2\) rejects the program with EINVAL at instruction 0: .*apply_seccomp_filter/);
  });

  it('a load outside seccomp_data passes cellos and fails the kernel (seccomp_check_filter)', () => {
    const loaded = load(file('ld64.bpf', encodeProgram([BPF_STMT(OP.LD_W_ABS, 64), RET_ALLOW])));
    expect(loaded.warnings[0]).toMatch(/EINVAL at instruction 0: load from seccomp_data offset 64/);
  });

  it('4096 instructions: both accept (MAX_FILTER_LEN is BPF_MAXINSNS exactly); the path budget left is reported', () => {
    const loaded = load(file('max.bpf', encodeProgram(Array(4096).fill(RET_ALLOW))));
    expect(loaded.info.kernelAccepts).toBe('true');
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/^4096 instructions \(eBPF length \d+\): seccomp\(2\) fails with ENOMEM if the child already carries filters of more than \d+ eBPF instructions/);
    // A small good program: no findings.
    const ok = load(file('ok.bpf', encodeProgram([BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 39, 0, 1), BPF_STMT(OP.RET_K, 0x50001), RET_ALLOW])));
    expect(ok.warnings).toEqual([]);
    expect(ok.source).toBe(join(dir, 'ok.bpf'));
  });

  it('a disabled configuration is one empty program with a warning; off with a path warns that the file is still used', () => {
    const off = loadCellos({ env: {} });
    expect(off.programs).toEqual([{ thread: null, arch: null, program: [] }]);
    expect(off.warnings[0]).toMatch(/seccomp disabled .*cellos applies no seccomp filter/);
    const legacy = loadCellos({ env: { CELLOS_SUBPROCESS_SECCOMP: 'off', CELLOS_SECCOMP_BPF_PATH: file('ok2.bpf', encodeProgram([RET_ALLOW])) } });
    expect(legacy.programs[0].program).toHaveLength(1);
    expect(legacy.warnings[0]).toMatch(/CELLOS_SUBPROCESS_SECCOMP="off" does not disable seccomp while CELLOS_SECCOMP_BPF_PATH is set/);
  });
});
