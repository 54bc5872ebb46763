// The seccheck CLI's contract, run as a real process (node bin/seccheck.js):
// output shapes, exit codes 0/1/2/3, and one-line errors on bad input.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BPF_JUMP, BPF_STMT, encodeProgram, OP, type Insn } from 'unicorn-bpf-emulator';
import { main } from '../src/cli/main.js';
import { ensureBuilt, expectOneLineError, lines, ROOT, runCli, runMain } from './__test-helpers__/cli.js';

const EXAMPLE = 'examples/deny-getpid.bpf';
const EXAMPLE_CASES = 'examples/cases.jsonl';
const PKG_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
const f = (name: string): string => join(dir, name);
const writeFilter = (name: string, program: Insn[], endian: 'little' | 'big' = 'little'): string => {
  writeFileSync(f(name), encodeProgram(program, endian));
  return f(name);
};
const writeCases = (name: string, cases: readonly (string | object)[]): string => {
  writeFileSync(f(name), cases.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join('\n') + '\n');
  return f(name);
};
const RET = (k: number): Insn => BPF_STMT(OP.RET_K, k);


beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-cli-'));
  // Rejected: the conditional jump at 1 lands past the end.
  writeFilter('bad-jump.bpf', [BPF_STMT(OP.LD_W_ABS, 0), BPF_JUMP(OP.JMP_JEQ_K, 39, 5, 0), RET(0x7fff0000)]);
  // 4096 RET instructions: eBPF length 3 + 2*4096 = 8195; four do not fit on one path (32768).
  writeFilter('big.bpf', Array.from({ length: 4096 }, () => RET(0x7fff0000)));
  writeFileSync(f('truncated.bpf'), new Uint8Array(12));
  writeFileSync(f('empty.bpf'), new Uint8Array(0));
  writeFilter('allow.bpf', [RET(0x7fff0000)]);
  writeFilter('kill.bpf', [RET(0)]);
  writeFilter('unknown-action.bpf', [RET(0x00010000)]);
  writeFilter('errno-big.bpf', [RET(0x0005ffff)]);
  // Returns args[0]'s word at offset 16: the low half on little-endian arches, the high half on big-endian ones.
  writeFilter('arg0-word.bpf', [BPF_STMT(OP.LD_W_ABS, 16), BPF_STMT(OP.RET_A, 0)]);
  // Returns the nr it sees.
  writeFilter('echo-nr.bpf', [BPF_STMT(OP.LD_W_ABS, 0), BPF_STMT(OP.RET_A, 0)]);
  writeFilter('deny-getpid-be.bpf', [...readProgramLE(EXAMPLE)], 'big');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readProgramLE(file: string): Insn[] {
  const b = readFileSync(join(ROOT, file));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Insn[] = [];
  for (let o = 0; o < b.length; o += 8) out.push({ code: v.getUint16(o, true), jt: b[o + 2], jf: b[o + 3], k: v.getUint32(o + 4, true) });
  return out;
}

describe('seccheck check', () => {
  it('accepts a good filter: text line and exit 0', () => {
    const r = runCli(['check', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([`${EXAMPLE}: accepted (8 instructions, eBPF length 15)`]);
  });

  it('--json gives exactly {file, accepted, errno, insn, reason} per file', () => {
    const r = runCli(['check', '--json', EXAMPLE, f('bad-jump.bpf')]);
    expect(r.code).toBe(1);
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toEqual([
      { file: EXAMPLE, accepted: true, errno: null, insn: null, reason: null },
      { file: f('bad-jump.bpf'), accepted: false, errno: 'EINVAL', insn: 1, reason: expect.any(String) },
    ]);
    expect(Object.keys(recs[1])).toEqual(['file', 'accepted', 'errno', 'insn', 'reason']);
  });

  it('reports a rejection with errno, instruction and reason, exit 1', () => {
    const r = runCli(['check', f('bad-jump.bpf')]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/^.*bad-jump\.bpf: rejected: EINVAL at instruction 1: .+\n$/);
  });

  it('an empty file is a program of 0 instructions: rejected (EINVAL, no instruction)', () => {
    const r = runCli(['check', '--json', f('empty.bpf')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: false, errno: 'EINVAL', insn: null });
    expect(runCli(['check', f('empty.bpf')]).stdout).toMatch(/: rejected: EINVAL: program has 0 instructions/);
  });

  it('a missing file: one line on stderr, the other files still reported, exit 2', () => {
    const r = runCli(['check', EXAMPLE, f('missing.bpf'), f('bad-jump.bpf')]);
    expectOneLineError(r, new RegExp(`^seccheck: ${f('missing.bpf')}: no such file$`));
    expect(lines(r.stdout)).toHaveLength(2);
    expect(lines(r.stdout)[0]).toMatch(/accepted/);
    expect(lines(r.stdout)[1]).toMatch(/rejected/);
  });

  it('a length that is not a multiple of 8: one line, exit 2', () => {
    const r = runCli(['check', '--json', f('truncated.bpf'), EXAMPLE]);
    expectOneLineError(r, /truncated\.bpf: length 12 is not a multiple of 8/);
    expect(lines(r.stdout).map((l) => JSON.parse(l).accepted)).toEqual([true]);
  });

  it('--endian big reads big-endian bytes; the same bytes as little-endian are rejected', () => {
    const big = runCli(['check', '--endian', 'big', f('deny-getpid-be.bpf')]);
    expect(big.code).toBe(0);
    expect(big.stdout).toMatch(/accepted \(8 instructions, eBPF length 15\)/);
    expect(runCli(['check', f('deny-getpid-be.bpf')]).code).toBe(1);
    expectOneLineError(runCli(['check', '--endian', 'middle', EXAMPLE]), /middle/);
  });

  it('--stack loads files in order: ENOMEM for the one that overflows, later files not loaded', () => {
    const big = f('big.bpf');
    const r = runCli(['check', '--stack', '--json', big, big, big, big, EXAMPLE]);
    expect(r.code).toBe(1);
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(5);
    expect(recs.slice(0, 3).map((x) => x.accepted)).toEqual([true, true, true]);
    expect(recs[3]).toMatchObject({ accepted: false, errno: 'ENOMEM', insn: null, reason: expect.stringMatching(/MAX_INSNS_PER_PATH/) });
    expect(recs[4]).toMatchObject({ file: EXAMPLE, accepted: false, errno: null, insn: null, reason: expect.stringMatching(/^not loaded/) });
    // Without --stack each file is fine on its own.
    expect(runCli(['check', big, big, big, big]).code).toBe(0);
    const text = lines(runCli(['check', '--stack', big, big, big, big, EXAMPLE]).stdout);
    expect(text[3]).toMatch(/: rejected: ENOMEM: /);
    expect(text[4]).toMatch(new RegExp(`^${EXAMPLE}: not loaded`));
  });

  it('--stack with an unreadable file: reported on stderr, the files after it not loaded, exit 2', () => {
    const r = runCli(['check', '--stack', EXAMPLE, f('missing.bpf'), EXAMPLE]);
    expectOneLineError(r, /missing\.bpf: no such file/);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/accepted/);
    expect(out[1]).toMatch(/not loaded: .*missing\.bpf failed before it/);
  });

  it('needs at least one file', () => {
    expectOneLineError(runCli(['check']), /missing required argument/);
  });
});

describe('seccheck eval --cases', () => {
  it('--json prints exactly {action, data, raw} per case, in order, exit 0', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const ERRNO1 = { action: 'ERRNO', data: 1, raw: '0x00050001' };
    const ALLOW = { action: 'ALLOW', data: 0, raw: '0x7fff0000' };
    const KILL = { action: 'KILL_PROCESS', data: 0, raw: '0x80000000' };
    expect(lines(r.stdout).map((l) => JSON.parse(l))).toEqual([ERRNO1, ALLOW, ERRNO1, KILL, KILL, KILL]);
    expect(lines(r.stdout)[0]).toBe('{"action":"ERRNO","data":1,"raw":"0x00050001"}');
  });

  it('text mode: "<line>: <arch> nr=<nr> -> <action> (raw 0x........)"', () => {
    const r = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      '1: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)',
      '2: x86_64 nr=110 -> ALLOW (raw 0x7fff0000)',
      '3: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)',
      '4: x86 nr=20 -> KILL_PROCESS (raw 0x80000000)',
      '5: x32 nr=1073741863 -> KILL_PROCESS (raw 0x80000000)',
      '6: aarch64 nr=172 -> KILL_PROCESS (raw 0x80000000)',
    ]);
  });

  it('adds "unknown": true only for an unknown action value; ERRNO data is capped at 4095', () => {
    const cases = writeCases('one.jsonl', [{ arch: 'x86_64', nr: 0 }]);
    const unknown = runCli(['eval', f('unknown-action.bpf'), '--cases', cases, '--json']);
    expect(JSON.parse(unknown.stdout)).toEqual({ action: 'KILL_PROCESS', data: 0, raw: '0x00010000', unknown: true });
    const errno = runCli(['eval', f('errno-big.bpf'), '--cases', cases, '--json']);
    expect(JSON.parse(errno.stdout)).toEqual({ action: 'ERRNO', data: 4095, raw: '0x0005ffff' });
  });

  it('lays seccomp_data out in each arch\'s byte order; blank lines are skipped but counted', () => {
    const cases = writeCases('arg0.jsonl', [
      { arch: 'x86_64', nr: 1, args: ['0x1122334455667788'] },
      '',
      { arch: 's390x', nr: 1, args: ['0x1122334455667788'], expect: 'ignored', raw: 'ignored' },
      { arch: 'ppc64le', nr: 1, args: ['1234605616436508552'] },
    ]);
    const r = runCli(['eval', f('arg0-word.bpf'), '--cases', cases]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      '1: x86_64 nr=1 -> 0x55667788 (unknown action: KILL_PROCESS) (raw 0x55667788)',
      '3: s390x nr=1 -> 0x11223344 (unknown action: KILL_PROCESS) (raw 0x11223344)',
      '4: ppc64le nr=1 -> 0x55667788 (unknown action: KILL_PROCESS) (raw 0x55667788)',
    ]);
  });

  it('nr is a signed 32-bit value: -1, 0xffffffff, "-1" and "0xffffffff" are the same', () => {
    const cases = writeCases('nr.jsonl', [
      { arch: 'x86_64', nr: -1 }, { arch: 'x86_64', nr: 0xffffffff }, { arch: 'x86_64', nr: '-1' },
      { arch: 'x86_64', nr: '0xffffffff' }, { arch: 'x86_64', nr: -2147483648 },
    ]);
    const r = runCli(['eval', f('echo-nr.bpf'), '--cases', cases, '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l).raw)).toEqual(['0xffffffff', '0xffffffff', '0xffffffff', '0xffffffff', '0x80000000']);
    expect(lines(runCli(['eval', f('echo-nr.bpf'), '--cases', cases]).stdout)[1]).toMatch(/^2: x86_64 nr=-1 -> /);
  });

  it('an nr outside [-2^31, 2^32) is a one-line error naming file and line', () => {
    for (const nr of [4294967296, -2147483649, '0x100000000']) {
      const cases = writeCases('nr-range.jsonl', [{ arch: 'x86_64', nr: 1 }, { arch: 'x86_64', nr }]);
      expectOneLineError(runCli(['eval', EXAMPLE, '--cases', cases]), new RegExp(`nr-range\\.jsonl:2: "nr" ${nr} is out of range`));
    }
  });

  it('args and ip are u64: up to 2^64-1; negatives, larger values, unsafe JSON numbers and >6 args are errors', () => {
    const ok = writeCases('u64.jsonl', [{ arch: 'x86_64', nr: 1, args: ['0xffffffffffffffff', '18446744073709551615', 0, '7'], ip: '0xffffffffffffffff' }]);
    expect(runCli(['eval', EXAMPLE, '--cases', ok]).code).toBe(0);
    const bad: [object, RegExp][] = [
      [{ arch: 'x86_64', nr: 1, args: ['-1'] }, /"args"\[0\] -1 is out of range/],
      [{ arch: 'x86_64', nr: 1, args: [0, '0x10000000000000000'] }, /"args"\[1\] 0x10000000000000000 is out of range/],
      [{ arch: 'x86_64', nr: 1, ip: -5 }, /"ip" -5 is out of range/],
      [{ arch: 'x86_64', nr: 1, args: [2 ** 60 + 2 ** 10] }, /too large for a JSON number/],
      [{ arch: 'x86_64', nr: 1, args: [1, 2, 3, 4, 5, 6, 7] }, /7 arguments/],
      [{ arch: 'x86_64', nr: 1, args: ['12abc'] }, /is not a number/],
      [{ arch: 'x86_64', nr: 1.5 }, /is not an integer/],
      [{ arch: 'x86_64' }, /"nr" is missing/],
    ];
    for (const [c, pattern] of bad) {
      const cases = writeCases('u64-bad.jsonl', [c]);
      const r = runCli(['eval', EXAMPLE, '--cases', cases]);
      expectOneLineError(r, pattern);
      expect(r.stderr).toMatch(/u64-bad\.jsonl:1: /);
    }
  });

  it('a malformed JSON line: one line naming file and line, exit 2, no output', () => {
    const cases = writeCases('bad-json.jsonl', [{ arch: 'x86_64', nr: 1 }, '{"arch": "x86_64", nr: 2}']);
    const r = runCli(['eval', EXAMPLE, '--cases', cases]);
    expectOneLineError(r, new RegExp(`^seccheck: ${cases}:2: invalid JSON: `));
    expect(r.stdout).toBe('');
    expectOneLineError(runCli(['eval', EXAMPLE, '--cases', writeCases('array.jsonl', ['[1, 2]'])]), /array\.jsonl:1: a case must be a JSON object/);
  });

  it('an unknown arch is a one-line error; i386 is an alias of x86', () => {
    const bad = writeCases('arch.jsonl', [{ arch: 'vax', nr: 1 }]);
    expectOneLineError(runCli(['eval', EXAMPLE, '--cases', bad]), /arch\.jsonl:1: unknown arch "vax" \(known: x86, x86_64, x32,/);
    const alias = writeCases('i386.jsonl', [{ arch: 'i386', nr: 20 }, { arch: 'x86', nr: 20 }]);
    expect(lines(runCli(['eval', EXAMPLE, '--cases', alias, '--json']).stdout)).toEqual([
      '{"action":"KILL_PROCESS","data":0,"raw":"0x80000000"}',
      '{"action":"KILL_PROCESS","data":0,"raw":"0x80000000"}',
    ]);
  });

  it('a missing cases file or filter is a one-line error', () => {
    expectOneLineError(runCli(['eval', EXAMPLE, '--cases', f('nope.jsonl')]), /nope\.jsonl: no such file$/);
    expectOneLineError(runCli(['eval', f('nope.bpf'), '--cases', EXAMPLE_CASES]), /nope\.bpf: no such file$/);
    expectOneLineError(runCli(['eval', f('truncated.bpf'), '--cases', EXAMPLE_CASES]), /truncated\.bpf: length 12 is not a multiple of 8/);
  });

  it('a rejected filter: one line naming the file and the rejection, exit 2', () => {
    const r = runCli(['eval', f('bad-jump.bpf'), '--cases', EXAMPLE_CASES]);
    expectOneLineError(r, /bad-jump\.bpf: rejected: EINVAL at instruction 1: /);
    expect(r.stdout).toBe('');
  });

  it('--kernel decides the uretprobe/uprobe bypass (6.14 / 6.18); a bad version is a one-line error', () => {
    const cases = writeCases('bypass.jsonl', [{ arch: 'x86_64', nr: 335 }, { arch: 'x86_64', nr: 336 }, { arch: 'x86', nr: 335 }]);
    const raws = (kernel: string): string[] => lines(runCli(['eval', f('kill.bpf'), '--cases', cases, '--json', '--kernel', kernel]).stdout).map((l) => JSON.parse(l).raw);
    expect(raws('6.1')).toEqual(['0x00000000', '0x00000000', '0x00000000']);
    expect(raws('6.14.0')).toEqual(['0x7fff0000', '0x00000000', '0x00000000']);
    expect(raws('6.18.44-fc-v657')).toEqual(['0x7fff0000', '0x7fff0000', '0x00000000']);
    expectOneLineError(runCli(['eval', f('kill.bpf'), '--cases', cases, '--kernel', 'latest']), /--kernel: "latest" is not a kernel version/);
  });

  it('--endian reads the filter in that byte order (data still follows the arch)', () => {
    const r = runCli(['eval', f('deny-getpid-be.bpf'), '--endian', 'big', '--cases', EXAMPLE_CASES, '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l).raw)).toEqual(['0x00050001', '0x7fff0000', '0x00050001', '0x80000000', '0x80000000', '0x80000000']);
  });
});

describe('seccheck eval, one case from options', () => {
  const one = (...args: string[]) => runCli(['eval', EXAMPLE, ...args]);

  it('--arch/--syscall by name or number', () => {
    expect(lines(one('--arch', 'x86_64', '--syscall', 'getpid').stdout)).toEqual(['1: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)']);
    expect(one('--arch', 'x86_64', '--syscall', '39', '--json').stdout).toBe('{"action":"ERRNO","data":1,"raw":"0x00050001"}\n');
    expect(one('--arch', 'x86_64', '--syscall', 'getppid', '--args', '1,0x2,3', '--ip', '0x1000').stdout).toMatch(/nr=110 -> ALLOW/);
    expect(one('--arch', 'x86_64', '--syscall', 'getpid').code).toBe(0);
  });

  it('names resolve per arch: i386 getpid is 20, x32 getpid carries the x32 bit', () => {
    expect(one('--arch', 'i386', '--syscall', 'getpid').stdout).toBe('1: x86 nr=20 -> KILL_PROCESS (raw 0x80000000)\n');
    expect(one('--arch', 'x32', '--syscall', 'getpid').stdout).toBe('1: x32 nr=1073741863 -> KILL_PROCESS (raw 0x80000000)\n');
    const echo = runCli(['eval', f('echo-nr.bpf'), '--arch', 'x32', '--syscall', 'getpid', '--json']);
    expect(JSON.parse(echo.stdout).raw).toBe('0x40000027');
  });

  it('an unknown syscall for the arch, or an arch without a table, is a one-line error', () => {
    expectOneLineError(one('--arch', 'x86_64', '--syscall', 'nosuchcall'), /^seccheck: --syscall: unknown syscall "nosuchcall" for x86_64$/);
    expectOneLineError(one('--arch', 'x86', '--syscall', 'mmap_pgoff'), /unknown syscall "mmap_pgoff" for x86/);
    expectOneLineError(one('--arch', 'loongarch64', '--syscall', 'getpid'), /no syscall table for loongarch64/);
    expect(one('--arch', 'loongarch64', '--syscall', '172').code).toBe(0);
    expect(JSON.parse(one('--arch', 'aarch64', '--syscall', 'getpid', '--json').stdout).raw).toMatch(/^0x[0-9a-f]{8}$/);
  });

  it('bad --arch, --syscall number, --args, --ip are one-line errors', () => {
    expectOneLineError(one('--arch', 'vax', '--syscall', '1'), /--arch: unknown arch "vax"/);
    expectOneLineError(one('--arch', 'x86_64', '--syscall', '4294967296'), /--syscall: number 4294967296 is out of range/);
    expectOneLineError(one('--arch', 'x86_64', '--syscall', '1', '--args', '1,2,3,4,5,6,7'), /--args: 7 arguments/);
    expectOneLineError(one('--arch', 'x86_64', '--syscall', '1', '--args', '-1'), /--args: argument 0 -1 is out of range/);
    expectOneLineError(one('--arch', 'x86_64', '--syscall', '1', '--ip', 'x'), /--ip: /);
  });

  it('needs --cases or --arch with --syscall, not both', () => {
    expectOneLineError(one(), /needs --cases FILE, or --arch A --syscall S/);
    expectOneLineError(one('--arch', 'x86_64'), /needs --cases FILE/);
    expectOneLineError(one('--cases', EXAMPLE_CASES, '--arch', 'x86_64', '--syscall', '1'), /either --cases FILE or --arch/);
  });
});

describe('seccheck disasm / asm', () => {
  it('disasm names syscalls from the tables; asm reads both syntaxes back byte for byte', () => {
    for (const syntax of ['bpf', 'c']) {
      const d = runCli(['disasm', EXAMPLE, '--syntax', syntax]);
      expect(d.code).toBe(0);
      expect(d.stdout).toMatch(/getpid/);
      writeFileSync(f(`roundtrip.${syntax}`), d.stdout);
      const a = runCli(['asm', f(`roundtrip.${syntax}`), '-o', f(`roundtrip-${syntax}.bpf`)]);
      expect(a.code).toBe(0);
      expect(readFileSync(f(`roundtrip-${syntax}.bpf`))).toEqual(readFileSync(join(ROOT, EXAMPLE)));
    }
  });

  it('--endian: disasm reads and asm writes that byte order', () => {
    expect(runCli(['disasm', '--endian', 'big', f('deny-getpid-be.bpf')]).stdout).toBe(runCli(['disasm', EXAMPLE]).stdout);
    writeFileSync(f('be.s'), runCli(['disasm', EXAMPLE]).stdout);
    expect(runCli(['asm', f('be.s'), '-o', f('be-out.bpf'), '--endian', 'big']).code).toBe(0);
    expect(readFileSync(f('be-out.bpf'))).toEqual(readFileSync(f('deny-getpid-be.bpf')));
  });

  it('asm resolves syscall names with --arch where the program has no arch check', () => {
    writeFileSync(f('noarch.s'), 'ld [0]\njeq #getpid, L1, L2\nL1: ret #0\nL2: ret #0x7fff0000\n');
    expectOneLineError(runCli(['asm', f('noarch.s'), '-o', f('noarch.bpf')]), /noarch\.s:2: /);
    expect(runCli(['asm', f('noarch.s'), '-o', f('noarch.bpf'), '--arch', 'i386']).code).toBe(0);
    const r = runCli(['eval', f('noarch.bpf'), '--arch', 'i386', '--syscall', 'getpid', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ action: 'KILL_THREAD', data: 0, raw: '0x00000000' });
  });

  it('asm errors: one line naming file and line; -o is required; a missing file is one line', () => {
    writeFileSync(f('bad.s'), 'ld [4]\nfrobnicate x\nret #0\n');
    expectOneLineError(runCli(['asm', f('bad.s'), '-o', f('bad.bpf')]), new RegExp(`^seccheck: ${f('bad.s')}:2: `));
    expectOneLineError(runCli(['asm', f('bad.s')]), /-o, --output/);
    expectOneLineError(runCli(['asm', f('nope.s'), '-o', f('x.bpf')]), /nope\.s: no such file$/);
    expectOneLineError(runCli(['disasm', f('nope.bpf')]), /nope\.bpf: no such file$/);
    expectOneLineError(runCli(['disasm', f('truncated.bpf')]), /not a multiple of 8/);
  });
});

describe('seccheck: global behaviour', () => {
  it('--help and --version exit 0 on stdout', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: seccheck/);
    for (const cmd of ['check', 'eval', 'disasm', 'asm']) expect(help.stdout).toMatch(new RegExp(`\\n\\s+${cmd}\\b`));
    const checkHelp = runCli(['check', '--help']);
    expect(checkHelp.code).toBe(0);
    expect(checkHelp.stdout).toMatch(/--stack/);
    expect(runCli(['eval', '--help']).stdout).toMatch(/--kernel <version>/);
    expect(runCli(['help', 'eval']).stdout).toMatch(/--cases <file>/);
    const version = runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${PKG_VERSION}\n`);
  });

  it('unknown command, unknown option, surplus argument: one line, exit 2', () => {
    expectOneLineError(runCli(['chek', 'x']), /unknown command 'chek'/);
    expectOneLineError(runCli(['check', '--frobnicate', EXAMPLE]), /unknown option '--frobnicate'/);
    expectOneLineError(runCli(['eval', EXAMPLE, 'extra', '--cases', EXAMPLE_CASES]), /too many arguments/);
  });

  it('no command at all: usage on stderr, exit 2', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: seccheck/);
    expect(r.stdout).toBe('');
  });

  it('an internal error prints one line asking for a report and exits 3', async () => {
    let stderr = '';
    const code = await main(['check', EXAMPLE], {
      out: () => {
        throw new TypeError('boom');
      },
      err: (t) => void (stderr += t),
    });
    expect(code).toBe(3);
    expect(lines(stderr)).toEqual(['seccheck: TypeError: boom (internal error; please report)']);
  });

  it('main() in-process gives the same result as the process', async () => {
    const proc = runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json']);
    const inproc = await runMain(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--json']);
    expect(inproc).toEqual(proc);
  });

  it('bin/seccheck.js without dist/ says to run npm install, exit 2', () => {
    const fake = mkdtempSync(join(tmpdir(), 'seccheck-nodist-'));
    try {
      mkdirSync(join(fake, 'bin'));
      copyFileSync(join(ROOT, 'bin', 'seccheck.js'), join(fake, 'bin', 'seccheck.js'));
      writeFileSync(join(fake, 'package.json'), '{"type": "module"}');
      const r = runCli(['--help'], { bin: join(fake, 'bin', 'seccheck.js'), cwd: fake });
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/run `npm install`/);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
