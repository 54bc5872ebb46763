import { describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, OP } from 'unicorn-bpf-emulator';
import { kernelAbi, kernelSkipReason, stackReadsInstructionPointer } from './kernel_skip.js';

const c = (arch: string, ip = 0n) => ({ arch: archByName(arch)!, nr: 39, args: [0n, 0n, 0n, 0n, 0n, 0n], ip });

describe('kernelAbi', () => {
  it('an x86_64 kernel runs x86_64 (native), x86 (int 0x80) and x32; nothing else', () => {
    expect(kernelAbi('x86_64', 'x64')).toBe('native');
    expect(kernelAbi('x86', 'x64')).toBe('i386');
    expect(kernelAbi('x32', 'x64')).toBe('x32');
    for (const a of ['aarch64', 'arm', 'riscv64', 's390x', 'mips', 'toString', 'constructor']) expect(kernelAbi(a, 'x64')).toBeUndefined();
  });

  it('an aarch64 kernel runs aarch64 only; an unknown host runs nothing', () => {
    expect(kernelAbi('aarch64', 'arm64')).toBe('native');
    expect(kernelAbi('x86_64', 'arm64')).toBeUndefined();
    expect(kernelAbi('arm', 'arm64')).toBeUndefined();
    expect(kernelAbi('x86_64', 'riscv64')).toBeUndefined();
  });
});

describe('kernelSkipReason', () => {
  it('skips foreign arches, a non-zero ip, and any case of a stack that reads the ip', () => {
    expect(kernelSkipReason(c('x86_64'), false, 'x64')).toBeNull();
    expect(kernelSkipReason(c('x32'), false, 'x64')).toBeNull();
    expect(kernelSkipReason(c('aarch64'), false, 'x64')).toBe('aarch64 syscalls cannot be made on this x86_64 kernel');
    expect(kernelSkipReason(c('x86_64', 0x7f0000001000n), false, 'x64')).toBe('ip 0x7f0000001000: the kernel fills instruction_pointer itself');
    expect(kernelSkipReason(c('x86_64'), true, 'x64')).toMatch(/reads instruction_pointer/);
  });

  it('a stack reads the ip when any program loads offset 8 or 12', () => {
    const ret = BPF_STMT(OP.RET_K, 0x7fff0000);
    expect(stackReadsInstructionPointer([[ret], [BPF_STMT(OP.LD_W_ABS, 12), ret]])).toBe(true);
    expect(stackReadsInstructionPointer([[BPF_STMT(OP.LD_W_ABS, 8), ret]])).toBe(true);
    expect(stackReadsInstructionPointer([[BPF_STMT(OP.LD_W_ABS, 16), BPF_STMT(OP.LD_IMM, 8), ret]])).toBe(false);
  });
});
