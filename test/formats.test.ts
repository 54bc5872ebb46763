// Every input format behind loadFilter: detection by content, --format
// overriding it, compile -> load round trips, and that nothing but a
// one-line SeccheckError escapes whatever bytes, JSON or environment it gets.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { archByName, disassemble, insn, type Insn } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { syscallResolver } from '../src/arch/syscalls.js';
import { SeccheckError } from '../src/errors.js';
import { encodeThreadMap } from '../src/formats/bincode.js';
import { compileFilterBytes } from '../src/formats/compile.js';
import { FORMAT_NAMES, type FormatName, type LoadedFilter } from '../src/formats/filter.js';
import { detectFormat, loadFilter, loadFilterBytes, selectPrograms } from '../src/formats/load.js';

const CORPUS = requireCorpus();
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'deny-getpid.bpf');
const SECCOMPILER = join(CORPUS, 'policies', 'boxlite', 'x86_64-unknown-linux-gnu.json');
const OCI = join(CORPUS, 'policies', 'docker-moby', 'default.json');
const x86_64 = archByName('x86_64')!;

const dir = mkdtempSync(join(tmpdir(), 'seccheck-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array | string): string => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ret = (n: number): Insn[] => Array.from({ length: n }, () => insn(0x06, 0, 0, 0x7fff0000));
const exampleBytes = new Uint8Array(readFileSync(EXAMPLE));
const exampleAsm = text(disassemble(loadFilter(EXAMPLE).programs[0].program, { syscalls: syscallResolver }));

function loadError(f: () => unknown): SeccheckError {
  try {
    f();
  } catch (e) {
    if (e instanceof SeccheckError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('detectFormat', () => {
  it('tells each format by content', () => {
    expect(detectFormat(exampleBytes, 'f')).toBe('raw');
    expect(detectFormat(exampleAsm, 'f')).toBe('asm');
    expect(detectFormat(encodeThreadMap([{ thread: 'vmm', program: ret(2) }]), 'f')).toBe('bincode');
    expect(detectFormat(readFileSync(SECCOMPILER), 'f')).toBe('seccompiler');
    expect(detectFormat(readFileSync(OCI), 'f')).toBe('oci');
  });

  it('raw is the default: empty, 8 zero bytes (not an empty thread map), binary garbage', () => {
    expect(detectFormat(new Uint8Array(0), 'f')).toBe('raw');
    expect(detectFormat(new Uint8Array(8), 'f')).toBe('raw');
    expect(detectFormat(Uint8Array.from([1, 2, 3, 0, 0xff]), 'f')).toBe('raw');
  });

  it('a thread map whose size breaks boxlite\'s limit is still detected as one (and refused by its loader)', () => {
    const big = encodeThreadMap([{ thread: 'vmm', program: ret(12_600) }]);
    expect(detectFormat(big, 'f')).toBe('bincode');
    expect(loadError(() => loadFilterBytes(big, 'big.bin')).message).toMatch(/^big\.bin: bincode thread map exceeds boxlite's 100,000-byte/);
  });

  it('JSON that is neither policy format, or broken JSON, is a one-line error naming the file', () => {
    expect(loadError(() => detectFormat(text('{"a": 1}'), 'p.json')).message).toMatch(/^p\.json: JSON, but neither a seccompiler policy .* nor an OCI\/Docker profile/);
    expect(loadError(() => detectFormat(text('[1, 2'), 'p.json')).message).toMatch(/^p\.json: starts like JSON but is not valid JSON/);
  });

  it('other text is assembly: its errors name file and line', () => {
    expect(detectFormat(text('hello world\n'), 'x.s')).toBe('asm');
    expect(loadError(() => loadFilterBytes(text('ret #0\nfrobnicate\n'), 'x.s')).message).toMatch(/^x\.s:2: /);
  });
});

describe('loadFilter', () => {
  it('loads each format; --format overrides detection', () => {
    expect(loadFilter(EXAMPLE).format).toBe('raw');
    expect(loadFilter(write('deny.s', exampleAsm)).programs[0].program).toEqual(loadFilter(EXAMPLE).programs[0].program);
    // The same bytes forced into other formats.
    expect(loadError(() => loadFilter(EXAMPLE, { format: 'bincode' })).message).toMatch(/deny-getpid\.bpf: bincode thread map /);
    expect(loadError(() => loadFilter(write('ret.s', 'ret #0\n'), { format: 'raw' })).message).toMatch(/ret\.s: length 7 is not a multiple of 8/);
    expect(loadFilter(write('ret8.s', 'ret #0\n\n'), { format: 'raw' }).programs[0].program).toHaveLength(1);
    expect(loadError(() => loadFilter(SECCOMPILER, { format: 'oci' })).message).toMatch(/^[^\n]*x86_64-unknown-linux-gnu\.json/);
    expect(loadError(() => loadFilter(OCI, { format: 'seccompiler' })).message).toMatch(/^[^\n]*default\.json/);
  });

  it('a missing file, cellos with a file, no file without cellos: one line each', () => {
    expect(loadError(() => loadFilter(join(dir, 'nope.bpf'))).message).toBe(`${join(dir, 'nope.bpf')}: no such file`);
    expect(loadError(() => loadFilter(EXAMPLE, { format: 'cellos' })).message).toMatch(/--format cellos takes no input file/);
    expect(loadError(() => loadFilter(null, {})).message).toMatch(/no input file/);
    expect(loadFilter(null, { format: 'cellos', env: { CELLOS_SUBPROCESS_SECCOMP: 'baseline' }, arch: x86_64 }).programs[0].program).toHaveLength(39);
  });

  it('selectPrograms: --thread picks one thread; unknown threads and non-maps are errors', () => {
    const map = loadFilter(SECCOMPILER, { arch: x86_64 });
    expect(selectPrograms(map, 'vmm').map((p) => p.thread)).toEqual(['vmm']);
    expect(selectPrograms(map, undefined)).toHaveLength(3);
    expect(loadError(() => selectPrograms(map, 'gpu')).message).toMatch(/--thread: no thread "gpu" \(threads: api, vcpu, vmm\)/);
    expect(loadError(() => selectPrograms(loadFilter(EXAMPLE), 'vmm')).message).toMatch(/--thread vmm: not a thread map \(format raw\)/);
  });
});

describe('compile -> load round trip', () => {
  const programsOf = (l: LoadedFilter) => l.programs.map((p) => ({ thread: p.thread, program: p.program }));

  it('a single program (raw, asm, OCI, cellos baseline) as raw loads back to the same program', () => {
    const inputs: LoadedFilter[] = [
      loadFilter(EXAMPLE),
      loadFilter(write('rt.s', exampleAsm)),
      loadFilter(OCI, { arch: x86_64 }),
      loadFilter(null, { format: 'cellos', env: { CELLOS_SUBPROCESS_SECCOMP: 'default' }, arch: archByName('aarch64') }),
    ];
    for (const loaded of inputs) {
      const out = compileFilterBytes(loaded);
      expect(out.to).toBe('raw');
      const back = loadFilterBytes(out.bytes, 'out.bpf');
      expect(back.format).toBe('raw');
      expect(back.programs[0].program).toEqual(loaded.programs[0].program);
    }
    // Big-endian raw output reads back with --endian big.
    const be = compileFilterBytes(loadFilter(EXAMPLE), { endian: 'big' });
    expect(loadFilterBytes(be.bytes, 'be.bpf', { endian: 'big' }).programs[0].program).toEqual(loadFilter(EXAMPLE).programs[0].program);
  });

  it('a thread map (seccompiler JSON, bincode) as bincode loads back thread for thread; --thread picks one as raw', () => {
    const loaded = loadFilter(SECCOMPILER, { arch: x86_64 });
    const out = compileFilterBytes(loaded);
    expect(out.to).toBe('bincode');
    const back = loadFilterBytes(out.bytes, 'out.bin');
    expect(back.format).toBe('bincode');
    expect(programsOf(back)).toEqual(programsOf(loaded));
    expect(compileFilterBytes(back).bytes).toEqual(out.bytes);
    const vmm = compileFilterBytes(loaded, { thread: 'vmm' });
    expect(vmm.to).toBe('raw');
    expect(loadFilterBytes(vmm.bytes, 'vmm.bpf').programs[0].program).toEqual(selectPrograms(loaded, 'vmm')[0].program);
  });

  it('what cannot be written is a one-line error', () => {
    const map = loadFilter(SECCOMPILER, { arch: x86_64 });
    expect(loadError(() => compileFilterBytes(map, { to: 'raw' })).message).toMatch(/does not fit one raw file: pick a thread with --thread, or --to bincode/);
    expect(loadError(() => compileFilterBytes(loadFilter(EXAMPLE), { to: 'bincode' })).message).toMatch(/has no thread name/);
    expect(loadError(() => compileFilterBytes(loadFilter(null, { format: 'cellos', env: {} }))).message).toMatch(/seccomp disabled: no filter is installed; nothing to write/);
    const empty = loadFilterBytes(encodeThreadMap([{ thread: 'vmm', program: [] }]), 'e.bin');
    expect(loadError(() => compileFilterBytes(empty, { thread: 'vmm' })).message).toMatch(/thread "vmm": empty program/);
    const huge = loadFilterBytes(encodeThreadMap([{ thread: 'a', program: ret(4096) }, { thread: 'b', program: ret(4096) }]), 'h.bin');
    const merged = { ...huge, programs: [...huge.programs, { thread: 'c', arch: null, program: ret(4096) }, { thread: 'd', arch: null, program: ret(4096) }] };
    expect(loadError(() => compileFilterBytes(merged, { output: 'o.bin' })).message).toMatch(/^o\.bin: bincode thread map exceeds boxlite's 100,000-byte/);
  });
});

describe('only SeccheckError escapes loadFilter', () => {
  const FILE_FORMATS: (FormatName | undefined)[] = [undefined, ...FORMAT_NAMES.filter((f) => f !== 'cellos')];
  expect(FILE_FORMATS).toHaveLength(6);

  /** Load and return nothing; a SeccheckError must be one line and name the file. */
  function tryLoad(bytes: Uint8Array, format: FormatName | undefined): void {
    try {
      const l = loadFilterBytes(bytes, 'fuzz.in', { format, arch: x86_64 });
      expect(Array.isArray(l.programs)).toBe(true);
    } catch (e) {
      if (!(e instanceof SeccheckError)) throw new Error(`format ${format ?? 'auto'}: ${String(e)} escaped for ${JSON.stringify(Buffer.from(bytes).toString('base64'))}`);
      expect(e.message).not.toMatch(/\n/);
      expect(e.message.startsWith('fuzz.in') || e.file === undefined).toBe(true);
    }
  }

  it('random bytes, every format, forced and detected', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...FILE_FORMATS), (b, f) => tryLoad(b, f)), { numRuns: 1000 });
  });

  it('bytes near a valid thread map (mutations of real maps)', () => {
    const base = encodeThreadMap([{ thread: 'vmm', program: ret(3) }, { thread: 'api', program: ret(1) }]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat({ max: base.length }), (muts, cut) => {
        const b = base.slice(0, Math.max(cut, 1));
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        for (const f of FILE_FORMATS) tryLoad(b, f);
      }),
    );
  });

  it('random JSON, every format, forced and detected', () => {
    fc.assert(fc.property(fc.json(), fc.constantFrom(...FILE_FORMATS), (j, f) => tryLoad(text(j), f)), { numRuns: 500 });
  });

  it('policy-shaped JSON (seccompiler threads, OCI profiles) with wrong values in every place', () => {
    const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('allow', 'SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'x86_64', 'SCMP_ARCH_X86_64', 'read', 'eq', 'dword', 'qword', -1, 1e20, 4096));
    const seccompilerArb = fc.dictionary(fc.constantFrom('vmm', 'vcpu', 'api', 'x'), fc.record({
      default_action: fc.oneof(fc.constantFrom('allow', 'trap', 'kill_process', { errno: 1 }), anyValue),
      filter_action: fc.oneof(fc.constantFrom('allow', 'trap', { errno: 1 }), anyValue),
      filter: fc.array(fc.record({ syscall: fc.oneof(fc.constantFrom('read', 'write', 'nosuch'), anyValue), args: fc.option(fc.array(fc.record({ index: anyValue, type: anyValue, op: anyValue, val: anyValue }), { maxLength: 2 })) }, { requiredKeys: [] }), { maxLength: 3 }),
    }, { requiredKeys: [] }));
    const ociArb = fc.record({
      defaultAction: fc.oneof(fc.constantFrom('SCMP_ACT_ERRNO', 'SCMP_ACT_ALLOW', 'SCMP_ACT_KILL'), anyValue),
      defaultErrnoRet: anyValue,
      architectures: fc.oneof(fc.constant(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']), anyValue),
      archMap: anyValue,
      syscalls: fc.array(fc.record({
        names: fc.oneof(fc.constant(['read', 'write']), anyValue),
        action: fc.oneof(fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO'), anyValue),
        args: fc.oneof(fc.constant(null), fc.array(fc.record({ index: anyValue, value: anyValue, valueTwo: anyValue, op: anyValue }, { requiredKeys: [] }), { maxLength: 2 }), anyValue),
        includes: anyValue, excludes: anyValue, errnoRet: anyValue,
      }, { requiredKeys: [] }), { maxLength: 4 }),
    }, { requiredKeys: ['syscalls'] });
    fc.assert(
      fc.property(fc.oneof(seccompilerArb, ociArb), fc.constantFrom<FormatName | undefined>(undefined, 'seccompiler', 'oci'), (v, f) => tryLoad(text(JSON.stringify(v)), f)),
      { numRuns: 500 },
    );
  });

  it('cellos: any environment and any file it points at', () => {
    const path = join(dir, 'fuzz.bpf');
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.string(), fc.constantFrom('baseline', 'bpf', 'off', '1', ' FILE ')), { nil: undefined }),
        fc.option(fc.constantFrom(path, '', join(dir, 'missing.bpf'), dir), { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }).map((b) => b.subarray(0, b.length - (b.length % 8) * (b.length % 3 === 0 ? 0 : 1))),
        fc.constantFrom('x86_64', 'aarch64', 'x32', 'arm', 's390x'),
        (profile, bpfPath, bytes, archName) => {
          writeFileSync(path, bytes);
          try {
            loadFilter(null, { format: 'cellos', env: { CELLOS_SUBPROCESS_SECCOMP: profile, CELLOS_SECCOMP_BPF_PATH: bpfPath }, arch: archByName(archName) });
          } catch (e) {
            if (!(e instanceof SeccheckError)) throw e;
            expect(e.message).not.toMatch(/\n/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
