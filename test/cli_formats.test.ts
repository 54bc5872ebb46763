// The CLI on every input format: --format, --thread, --arch, --env, the
// compile command, thread labels in text and JSON, loader warnings on
// stderr, and exit codes. Run as a real process (node bin/seccheck.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BPF_STMT, encodeProgram, insn, OP, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { encodeThreadMap } from '../src/formats/bincode.js';
import { ensureBuilt, expectOneLineError, lines, ROOT, runCli } from './__test-helpers__/cli.js';

const EXAMPLE = 'examples/deny-getpid.bpf';
const EXAMPLE_CASES = 'examples/cases.jsonl';
const SECCOMPILER = join(requireCorpus(), 'policies', 'firecracker', 'x86_64-unknown-linux-musl.json');
const BASELINE = 'CELLOS_SUBPROCESS_SECCOMP=baseline';

let dir: string;
const f = (name: string): string => join(dir, name);
const ret = (n: number, k = 0x7fff0000): Insn[] => Array.from({ length: n }, () => insn(0x06, 0, 0, k));
const DENY_GETPID: Insn[] = [BPF_STMT(OP.LD_W_ABS, 0), { code: OP.JMP_JEQ_K, jt: 0, jf: 1, k: 39 }, BPF_STMT(OP.RET_K, 0x50001), BPF_STMT(OP.RET_K, 0x7fff0000)];


/** Run the CLI with exactly this environment (no CELLOS_* from the test runner's). */
function runWithEnv(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CELLOS_'))) as Record<string, string>;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'seccheck.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-cli-formats-'));
  writeFileSync(f('map.bin'), encodeThreadMap([{ thread: 'vmm', program: DENY_GETPID }, { thread: 'api', program: ret(1, 0) }, { thread: 'vcpu', program: [] }]));
  writeFileSync(f('bad-map.bin'), encodeThreadMap([{ thread: 'vmm', program: [BPF_STMT(OP.LD_W_ABS, 0)] }]));
  writeFileSync(f('huge-map.bin'), encodeThreadMap([{ thread: 'vmm', program: ret(12_600) }]));
  writeFileSync(f('zeros.bpf'), new Uint8Array(8));
  writeFileSync(f('deny.bpf'), encodeProgram(DENY_GETPID));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check on thread maps and formats', () => {
  it('one line per thread, labelled; an empty program installs nothing (exit 0, warning on stderr)', () => {
    const r = runCli(['check', f('map.bin')]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${f('map.bin')} [api]: accepted (1 instructions, eBPF length 5)`,
      `${f('map.bin')} [vcpu]: empty program: no filter is installed`,
      `${f('map.bin')} [vmm]: accepted (4 instructions, eBPF length 9)`,
    ]);
    expect(lines(r.stderr)).toEqual([`seccheck: warning: ${f('map.bin')}: thread "vcpu": empty program: boxlite applies no seccomp filter`]);
  });

  it('--json adds "thread" for thread maps only; --thread picks one', () => {
    const recs = lines(runCli(['check', '--json', f('map.bin'), EXAMPLE]).stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((x) => Object.keys(x))).toEqual([
      ['file', 'thread', 'accepted', 'errno', 'insn', 'reason'],
      ['file', 'thread', 'accepted', 'errno', 'insn', 'reason'],
      ['file', 'thread', 'accepted', 'errno', 'insn', 'reason'],
      ['file', 'accepted', 'errno', 'insn', 'reason'],
    ]);
    expect(recs[1]).toEqual({ file: f('map.bin'), thread: 'vcpu', accepted: true, errno: null, insn: null, reason: 'empty program: no filter is installed' });
    const one = runCli(['check', '--json', '--thread', 'vmm', f('map.bin')]);
    expect(lines(one.stdout).map((l) => JSON.parse(l).thread)).toEqual(['vmm']);
    expectOneLineError(runCli(['check', '--thread', 'gpu', f('map.bin')]), /no thread "gpu" \(threads: api, vcpu, vmm\)/);
    expectOneLineError(runCli(['check', '--thread', 'vmm', EXAMPLE]), /not a thread map/);
  });

  it('a rejected thread: exit 1, labelled; a map over boxlite\'s limit: one line, exit 2', () => {
    const r = runCli(['check', f('bad-map.bin')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-map\.bin \[vmm\]: rejected: EINVAL/);
    expectOneLineError(runCli(['check', f('huge-map.bin')]), /huge-map\.bin: bincode thread map exceeds boxlite's 100,000-byte deserialization limit/);
  });

  it('--stack takes one program per file: a thread map needs --thread', () => {
    expectOneLineError(runCli(['check', '--stack', f('map.bin'), EXAMPLE]), /--stack loads one program per file.*pick one with --thread/);
    const r = runCli(['check', '--stack', '--json', '--thread', 'vmm', f('map.bin')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ thread: 'vmm', accepted: true });
  });

  it('detects seccompiler JSON and compiles it for --arch; --format overrides detection', () => {
    const r = runCli(['check', '--arch', 'x86_64', SECCOMPILER]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => l.replace(/^.*\[(\w+)\]: (\w+).*$/, '$1 $2'))).toEqual(['api accepted', 'vcpu accepted', 'vmm accepted']);
    expectOneLineError(runCli(['check', '--format', 'bincode', EXAMPLE]), /deny-getpid\.bpf: bincode thread map/);
    expectOneLineError(runCli(['check', '--format', 'yaml', EXAMPLE]), /--format.*yaml/);
  });

  it('raw output is unchanged; no file at all is bad usage', () => {
    expect(runCli(['check', EXAMPLE]).stdout).toBe(`${EXAMPLE}: accepted (8 instructions, eBPF length 15)\n`);
    expectOneLineError(runCli(['check']), /missing required argument/);
  });
});

describe('--format cellos', () => {
  it('the baseline from --env: x86_64 warns about x32; aarch64 is clean', () => {
    const x = runCli(['check', '--format', 'cellos', '--env', BASELINE, '--arch', 'x86_64']);
    expect(x.code).toBe(0);
    expect(x.stdout).toBe('cellos baseline (x86_64): accepted (39 instructions, eBPF length 62)\n');
    expect(lines(x.stderr)).toEqual([expect.stringMatching(/^seccheck: warning: cellos baseline \(x86_64\): the baseline checks AUDIT_ARCH_X86_64 but not the x32 bit/)]);
    const a = runCli(['check', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=Default', '--arch', 'aarch64', '--json']);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(JSON.parse(a.stdout)).toEqual({ file: 'cellos baseline (aarch64)', accepted: true, errno: null, insn: null, reason: null });
  });

  it('a file cellos accepts and the kernel rejects: rejected (exit 1) with the disagreement on stderr', () => {
    const r = runCli(['check', '--format', 'cellos', '--env', `CELLOS_SECCOMP_BPF_PATH=${f('zeros.bpf')}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${f('zeros.bpf')}: rejected: EINVAL at instruction 0: `));
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^seccheck: warning: .*zeros\.bpf: cellos accepts these 8 bytes .* but seccomp\(2\) rejects the program with EINVAL/)]);
  });

  it('the seed\'s configuration errors: one line, exit 2', () => {
    expectOneLineError(runCli(['check', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=nope']),
      /^seccheck: cellos: CELLOS_SUBPROCESS_SECCOMP must be one of: 1, default, baseline, bpf, 0, off, none \(got "nope"\)$/);
    expectOneLineError(runCli(['check', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=bpf']), /requires CELLOS_SECCOMP_BPF_PATH/);
    expectOneLineError(runCli(['check', '--format', 'cellos', '--env', BASELINE, '--env', `CELLOS_SECCOMP_BPF_PATH=${f('zeros.bpf')}`]), /cannot be combined/);
    expectOneLineError(runCli(['check', '--format', 'cellos', '--env', `CELLOS_SECCOMP_BPF_PATH=${f('nope.bpf')}`]), /nope\.bpf: CELLOS_SECCOMP_BPF_PATH: no such file/);
    expectOneLineError(runCli(['check', '--format', 'cellos', EXAMPLE]), /takes no input file/);
  });

  it('--env only with --format cellos, and only K=V', () => {
    expectOneLineError(runCli(['check', '--env', BASELINE, EXAMPLE]), /--env: only --format cellos reads an environment/);
    expectOneLineError(runCli(['check', '--format', 'cellos', '--env', 'NOEQUALS']), /--env: "NOEQUALS" is not K=V/);
  });

  it('without --env it reads the process environment; nothing set means no filter (exit 0)', () => {
    const off = runWithEnv(['check', '--format', 'cellos'], {});
    expect(off.code).toBe(0);
    expect(off.stdout).toBe('cellos environment: seccomp disabled: no filter is installed\n');
    expect(off.stderr).toMatch(/^seccheck: warning: cellos environment: seccomp disabled \(CELLOS_SUBPROCESS_SECCOMP and CELLOS_SECCOMP_BPF_PATH are unset\)/);
    const on = runWithEnv(['check', '--format', 'cellos', '--arch', 'aarch64'], { CELLOS_SUBPROCESS_SECCOMP: ' baseline ' });
    expect(on.stdout).toMatch(/^cellos baseline \(aarch64\): accepted \(39 instructions/);
  });

  it('eval runs the baseline: EPERM for the denylist, ALLOW otherwise, per arch', () => {
    const ev = (arch: string, syscall: string) => runCli(['eval', '--format', 'cellos', '--env', BASELINE, '--arch', arch, '--syscall', syscall, '--json']);
    expect(JSON.parse(ev('x86_64', 'mount').stdout)).toEqual({ action: 'ERRNO', data: 1, raw: '0x00050001' });
    expect(JSON.parse(ev('x86_64', 'getpid').stdout).action).toBe('ALLOW');
    expect(JSON.parse(ev('aarch64', '40').stdout).action).toBe('ERRNO'); // mount on aarch64
    const off = runCli(['eval', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=off', '--arch', 'x86_64', '--syscall', 'ptrace', '--json']);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout).action).toBe('ALLOW');
  });
});

describe('eval and disasm on thread maps', () => {
  it('eval: every case on every thread, "thread" first in JSON; an empty thread allows everything', () => {
    const r = runCli(['eval', f('map.bin'), '--cases', EXAMPLE_CASES, '--json']);
    expect(r.code).toBe(0);
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const n = lines(readFileSync(join(ROOT, EXAMPLE_CASES), 'utf8')).filter((l) => l.trim() !== '').length;
    expect(recs).toHaveLength(3 * n);
    expect(Object.keys(recs[0])).toEqual(['thread', 'action', 'data', 'raw']);
    expect(recs.slice(0, n).every((x) => x.thread === 'api' && x.action === 'KILL_THREAD')).toBe(true);
    expect(recs.slice(n, 2 * n).every((x) => x.thread === 'vcpu' && x.action === 'ALLOW')).toBe(true);
    const text = runCli(['eval', f('map.bin'), '--thread', 'vmm', '--arch', 'x86_64', '--syscall', 'getpid']);
    expect(text.stdout).toBe('[vmm] 1: x86_64 nr=39 -> ERRNO(1) (raw 0x00050001)\n');
  });

  it('eval: a rejected thread is a one-line error naming file and thread; --cases with --arch is allowed (target arch)', () => {
    expectOneLineError(runCli(['eval', f('bad-map.bin'), '--cases', EXAMPLE_CASES]), /bad-map\.bin: thread "vmm": rejected: EINVAL/);
    const r = runCli(['eval', SECCOMPILER, '--arch', 'x86_64', '--thread', 'vmm', '--cases', EXAMPLE_CASES, '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).every((l) => JSON.parse(l).thread === 'vmm')).toBe(true);
    expectOneLineError(runCli(['eval', EXAMPLE, '--cases', EXAMPLE_CASES, '--arch', 'x86_64', '--syscall', '1']), /either --cases FILE or --arch/);
  });

  it('disasm: each thread after a "// thread" line; with --thread a listing asm reads back', () => {
    const all = runCli(['disasm', f('map.bin')]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^\/\/ thread api\n.*\n\n\/\/ thread vcpu\n\/\/ empty program: no filter is installed\n\n\/\/ thread vmm\n/s);
    const vmm = runCli(['disasm', f('map.bin'), '--thread', 'vmm']);
    writeFileSync(f('vmm.s'), vmm.stdout);
    expect(runCli(['asm', f('vmm.s'), '-o', f('vmm.bpf')]).code).toBe(0);
    expect(readFileSync(f('vmm.bpf'))).toEqual(readFileSync(f('deny.bpf')));
  });
});

describe('seccheck compile', () => {
  it('seccompiler JSON -> bincode thread map (default) that check loads back; --thread T -> raw', () => {
    const r = runCli(['compile', SECCOMPILER, '--arch', 'x86_64', '-o', f('fc.bin')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fc\.bin: thread map of 3 threads \(api \d+, vcpu \d+, vmm \d+ instructions\), \d+ bytes/);
    const back = runCli(['check', '--json', f('fc.bin')]);
    expect(lines(back.stdout).map((l) => JSON.parse(l).thread)).toEqual(['api', 'vcpu', 'vmm']);
    expect(runCli(['compile', SECCOMPILER, '--arch', 'x86_64', '--thread', 'vmm', '-o', f('vmm-fc.bpf')]).code).toBe(0);
    const t = runCli(['compile', f('fc.bin'), '--thread', 'vmm', '-o', f('vmm-fc2.bpf')]);
    expect(t.stdout).toMatch(/vmm-fc2\.bpf: \d+ instructions \(little-endian\)/);
    expect(readFileSync(f('vmm-fc2.bpf'))).toEqual(readFileSync(f('vmm-fc.bpf')));
  });

  it('--format cellos: the baseline as 312 raw bytes; --to bincode of one program, a map --to raw, nothing to write: one line, exit 2', () => {
    expect(runCli(['compile', '--format', 'cellos', '--env', BASELINE, '--arch', 'aarch64', '-o', f('cellos.bpf')]).code).toBe(0);
    expect(readFileSync(f('cellos.bpf')).length).toBe(312);
    expectOneLineError(runCli(['compile', EXAMPLE, '--to', 'bincode', '-o', f('x.bin')]), /has no thread name/);
    expectOneLineError(runCli(['compile', f('bad-map.bin'), '--to', 'raw', '-o', f('x.bpf')]), /a thread map \(vmm\) does not fit one raw file: pick a thread with --thread, or --to bincode/);
    const off = runCli(['compile', '--format', 'cellos', '--env', 'CELLOS_SUBPROCESS_SECCOMP=0', '-o', f('x.bpf')]);
    expect(off.code).toBe(2);
    expect(lines(off.stderr)).toEqual([
      'seccheck: warning: cellos environment: seccomp disabled (CELLOS_SUBPROCESS_SECCOMP="0"): cellos applies no seccomp filter',
      'seccheck: cellos environment: seccomp disabled: no filter is installed; nothing to write as raw',
    ]);
    expectOneLineError(runCli(['compile', EXAMPLE]), /required option '-o, --output <out>'/);
    expectOneLineError(runCli(['compile', '-o', f('x.bpf')]), /missing required argument 'input'/);
  });

  it('warns (exit 0) when the kernel would reject what it wrote', () => {
    const r = runCli(['compile', f('bad-map.bin'), '-o', f('bad2.bin')]);
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^seccheck: warning: .*bad2\.bin: thread "vmm": the kernel would reject it: EINVAL/)]);
  });

  it('is listed in --help', () => {
    expect(runCli(['--help']).stdout).toMatch(/\n\s+compile\b/);
  });
});
