// boxlite end to end: its per-target seccompiler JSON and the bincode thread
// map built from it load to the same programs, and explain says per arch
// what each thread does to native, x32/compat and foreign-arch callers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archByName } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { explainProgram, type Verdict } from '../src/explain/index.js';
import { encodeThreadMap, loadBincode } from '../src/formats/bincode.js';
import { loadFilter } from '../src/formats/load.js';

const BOXLITE = join(requireCorpus(), 'policies', 'boxlite');
const TARGETS = [
  { file: 'x86_64-unknown-linux-gnu.json', arch: 'x86_64' },
  { file: 'aarch64-unknown-linux-gnu.json', arch: 'aarch64' },
] as const;

/** Every action a verdict can end in. */
const actions = (v: Verdict): string[] => (v.kind === 'action' ? [v.action] : v.entries.map((e) => e.action));

describe('boxlite policies', () => {
  for (const t of TARGETS) {
    const arch = archByName(t.arch)!;
    const json = loadFilter(join(BOXLITE, t.file), { arch });

    it(`${t.file}: compiles the vmm, vcpu and api threads for ${t.arch}`, () => {
      expect(json.format).toBe('seccompiler');
      expect(json.programs.map((p) => p.thread)).toEqual(['api', 'vcpu', 'vmm']);
      for (const p of json.programs) expect(p.program.length).toBeGreaterThan(100);
    });

    it(`${t.file}: the bincode map built from it loads back to the same programs`, () => {
      const map = encodeThreadMap(json.programs.map((p) => ({ thread: p.thread!, program: p.program })));
      const back = loadBincode(map, 'map.bin', { arch });
      expect(back.programs.map((p) => [p.thread, p.program])).toEqual(json.programs.map((p) => [p.thread, p.program]));
    });

    it(`${t.file}: explain kills a foreign arch, and says what x32/compat callers get`, () => {
      const vmm = json.programs.find((p) => p.thread === 'vmm')!;
      const e = explainProgram(vmm.program, arch, { thread: 'vmm' });
      expect(e.selfCheck.failures).toEqual([]);
      expect(e.foreign.verdict).toMatchObject({ kind: 'action', action: 'KILL_PROCESS' });
      // An allowlist whose default is TRAP: the seccompiler prefix has no x32
      // guard, yet x32 numbers (nr | 0x40000000) match no rule and get the
      // default. Confirmed on Linux 6.18 x86_64: syscall(0x40000027) under
      // this vmm filter dies by SIGSYS while syscall(39) runs.
      if (t.arch === 'x86_64') {
        expect(e.x32).toBeDefined();
        const x32Actions = new Set(e.x32!.syscalls.flatMap((s) => actions(s.verdict)));
        expect([...x32Actions]).toEqual(['TRAP(0)']);
        expect(e.findings.filter((f) => f.kind === 'x32-bypass')).toEqual([]);
      }
      // The compat ABI (i386 on x86_64, arm on aarch64) fails the arch check.
      expect(e.compat).toBeDefined();
      expect(new Set(e.compat!.syscalls.flatMap((s) => actions(s.verdict)))).toEqual(new Set(['KILL_PROCESS']));
      // Native: the rules allow some syscalls outright and TRAP the rest.
      const native = new Set(e.syscalls.flatMap((s) => actions(s.verdict)));
      expect(native).toEqual(new Set(['ALLOW', 'TRAP(0)']));
    });
  }

  it('the x86_64 JSON does not compile for aarch64 (x86_64-only syscall names), in one line', () => {
    expect(() => loadFilter(join(BOXLITE, 'x86_64-unknown-linux-gnu.json'), { arch: archByName('aarch64') })).toThrow(/unknown syscall|not .* aarch64/i);
  });
});
