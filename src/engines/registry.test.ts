// The --engine names: parseEngineList's lists and one-line errors, and
// engineByName's resolving: shared emulator/kernel engines, VM engines that
// look for their setup only when first used, container engines that must be
// registered (and container:ARCH of a foreign arch refused: qemu-user has no
// seccomp).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, OP } from 'unicorn-bpf-emulator';
import { SeccheckError } from '../errors.js';
import { emulator } from './emulator.js';
import type { Engine } from './engine.js';
import { kernel } from './kernel.js';
import { ENGINE_NAMES, engineByName, parseEngineList, registerEngine } from './registry.js';

/** The one-line message of what `f` throws (a SeccheckError). */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SeccheckError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('did not throw');
}

describe('parseEngineList', () => {
  it('one name, a list in the given order, spaces around commas', () => {
    expect(parseEngineList('emulator')).toEqual(['emulator']);
    expect(parseEngineList('emulator,vm:aarch64')).toEqual(['emulator', 'vm:aarch64']);
    expect(parseEngineList('kernel, vm:x86_64 ,emulator')).toEqual(['kernel', 'vm:x86_64', 'emulator']);
    expect(parseEngineList(ENGINE_NAMES.join(','))).toEqual([...ENGINE_NAMES]);
  });

  it('both is emulator,kernel, alone or in a list', () => {
    expect(parseEngineList('both')).toEqual(['emulator', 'kernel']);
    expect(parseEngineList('both,vm:aarch64')).toEqual(['emulator', 'kernel', 'vm:aarch64']);
  });

  it('an unknown name is a one-line error listing the valid ones', () => {
    const m = errorOf(() => parseEngineList('emulator,qemu'));
    expect(m).toMatch(/^--engine: unknown engine "qemu"/);
    for (const n of ENGINE_NAMES) expect(m).toContain(n);
    expect(m).toContain('both');
    expect(errorOf(() => parseEngineList('vm:riscv64'))).toMatch(/unknown engine "vm:riscv64"/);
    expect(errorOf(() => parseEngineList('VM:aarch64'))).toMatch(/unknown engine/);
  });

  it('empty names and names given twice are errors', () => {
    expect(errorOf(() => parseEngineList(''))).toMatch(/empty engine name/);
    expect(errorOf(() => parseEngineList('emulator,,kernel'))).toMatch(/empty engine name/);
    expect(errorOf(() => parseEngineList('kernel,kernel'))).toMatch(/kernel is named twice/);
    expect(errorOf(() => parseEngineList('both,kernel'))).toMatch(/kernel is named twice/);
  });
});

describe('engineByName', () => {
  let cache: string | undefined;
  const saved = process.env.SECCHECK_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.SECCHECK_CACHE;
    else process.env.SECCHECK_CACHE = saved;
    if (cache) rmSync(cache, { recursive: true, force: true });
    cache = undefined;
  });

  it('emulator and kernel are the shared engines', () => {
    expect(engineByName('emulator')).toBe(emulator);
    expect(engineByName('kernel')).toBe(kernel);
  });

  it('a VM engine resolves without its setup and says to run npm run setup:vm when first used', () => {
    cache = mkdtempSync(join(tmpdir(), 'seccheck-empty-cache-'));
    process.env.SECCHECK_CACHE = cache;
    for (const [name, nodeArch] of [['vm:aarch64', 'arm64'], ['vm:x86_64', 'x64']] as const) {
      const vm = engineByName(name);
      expect(vm.name).toBe(name);
      expect(vm.kernelArch).toBe(nodeArch);
      const c = { arch: archByName('aarch64')!, nr: 172, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n };
      const m = errorOf(() => vm.run([[BPF_STMT(OP.RET_K, 0x7fff0000)]], [c]));
      expect(m).toMatch(new RegExp(`^${name}: .*run npm run setup:vm$`));
    }
  });

  it('container:ARCH of a foreign arch is refused: qemu-user has no seccomp; vm:ARCH is the way', () => {
    const foreign = process.arch === 'arm64' ? 'x86_64' : 'aarch64';
    const m = errorOf(() => engineByName(`container:${foreign}`));
    expect(m).toMatch(/qemu-user/);
    expect(m).toContain(`vm:${foreign}`);
    expect(m).toMatch(/native .* runner/);
  });

  it('container:ARCH of the host is the Docker engine (started on first use) unless another is registered', () => {
    const host = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
    expect(engineByName(`container:${host}`).name).toBe(`container:${host}`);
    const standIn: Engine = { name: `container:${host}`, check: () => [], run: (_s, cases) => cases.map(() => ({ kind: 'allowed', logged: false })) };
    let made = 0;
    registerEngine(`container:${host}`, () => {
      made++;
      return standIn;
    });
    expect(engineByName(`container:${host}`)).toBe(standIn);
    expect(made).toBe(1);
  });

  it('an unknown name is a one-line error', () => {
    expect(errorOf(() => engineByName('qemu'))).toMatch(/^--engine: unknown engine "qemu"/);
  });
});
