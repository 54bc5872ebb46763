// Loading a stack: each seccomp(2) call after the first is itself judged by
// the filters already installed. The kernel engine showed it (an earlier
// ERRNO(1)-for-everything filter makes the next install fail with EPERM; an
// earlier KILL kills the caller inside seccomp(2)); the emulator now models
// it, and both engines must agree.
import { beforeAll, describe, expect, it } from 'vitest';
import { BPF_JUMP, BPF_STMT, OP, type Program } from 'unicorn-bpf-emulator';
import { compareCheckSteps, emulator, kernel } from '../src/engines/index.js';
import { NR_SECCOMP_X86_64, requireKernelEngineForTests } from './__test-helpers__/engines.js';

const ret = (k: number): Program => [BPF_STMT(OP.RET_K, k)];
const allow = ret(0x7fff0000);
/** Returns `k` for seccomp(2) only, ALLOW for everything else. */
const onSeccomp = (k: number): Program => [
  BPF_STMT(OP.LD_W_ABS, 0),
  BPF_JUMP(OP.JMP_JEQ_K, NR_SECCOMP_X86_64, 0, 1),
  BPF_STMT(OP.RET_K, k),
  BPF_STMT(OP.RET_K, 0x7fff0000),
];

const STACKS: [string, Program[]][] = [
  ['ERRNO(1) for everything, then a filter', [ret(0x00050001), allow]],
  ['ERRNO(13) on seccomp only, then a filter', [onSeccomp(0x0005000d), allow]],
  ['KILL_THREAD for everything, then a filter', [ret(0), allow]],
  ['KILL_PROCESS on seccomp, then a filter', [onSeccomp(0x80000000), allow]],
  ['TRACE on seccomp with no tracer, then a filter', [onSeccomp(0x7ff00000), allow]],
  ['USER_NOTIF on seccomp with no listener, then a filter', [onSeccomp(0x7fc00000), allow]],
  ['LOG on seccomp, then a filter', [onSeccomp(0x7ffc0000), allow]],
  ['ALLOW, ERRNO(2) on seccomp, then a third filter', [allow, onSeccomp(0x00050002), allow]],
];

describe('stack installation on both engines', () => {
  beforeAll(() => requireKernelEngineForTests());

  for (const [name, stack] of STACKS) {
    it(name, () => {
      const e = emulator.check(stack);
      const k = kernel.check(stack);
      expect(k.length).toBe(e.length);
      for (let i = 0; i < e.length; i++) {
        expect({ step: i, emulator: e[i], kernel: k[i], verdict: compareCheckSteps(e[i], k[i]).verdict }).toMatchObject({ verdict: 'agree' });
      }
      // Every one of these stacks has an earlier filter in the way, except LOG.
      expect(e.every((s) => s.ok)).toBe(name.startsWith('LOG'));
    });
  }
});
