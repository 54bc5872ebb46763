// withBatchedRuns: a pass that calls run()/check() many times makes one
// runMany()/checkMany() call, and gets the same answers as calling the
// engine directly; engines without runMany are used as they are.
import { describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, OP, type Program } from 'unicorn-bpf-emulator';
import { withBatchedRuns } from './batch.js';
import { emulator } from './emulator.js';
import type { Engine, EngineCase } from './engine.js';

const at = (nr: number): EngineCase => ({ arch: archByName('x86_64')!, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n });
const RET = (k: number): Program => [BPF_STMT(OP.RET_K, k >>> 0)];

/** The emulator, counting calls, with runMany/checkMany. */
function counting(): Engine & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'vm:x86_64',
    calls,
    check: (stack, flags) => (calls.push('check'), emulator.check(stack, flags)),
    run: (stack, cases, opts) => (calls.push('run'), emulator.run(stack, cases, opts)),
    runMany: (jobs) => (calls.push(`runMany(${jobs.length})`), jobs.map((j) => emulator.run(j.stack, j.cases, j.opts))),
    checkMany: (jobs) => (calls.push(`checkMany(${jobs.length})`), jobs.map((j) => emulator.check(j.stack, j.flags))),
  };
}

describe('withBatchedRuns', () => {
  const pass = (e: Engine) => [
    e.run([RET(0x00050001)], [at(39), at(40)]),
    e.run([RET(0x7fff0000)], [at(1)]),
    e.run([RET(0x00050001)], [at(39), at(40)]), // the same job again: asked once
    e.check([RET(0x7fff0000)], 0),
    e.check([RET(0x7fff0000), RET(0)], 0),
  ];

  it('one runMany and one checkMany call, with the answers of direct calls', () => {
    const e = counting();
    const got = withBatchedRuns(e, pass);
    expect(e.calls).toEqual(['runMany(2)', 'checkMany(2)']);
    expect(got).toEqual(pass(emulator));
  });

  it('a run asked only in the second pass goes to the engine itself', () => {
    const e = counting();
    let second = false;
    withBatchedRuns(e, (b) => {
      const r = b.run([RET(0)], [at(second ? 2 : 1)]);
      second = true;
      return r;
    });
    expect(e.calls).toEqual(['runMany(1)', 'run']);
  });

  it('an engine without runMany runs the pass once, directly', () => {
    let passes = 0;
    const r = withBatchedRuns(emulator, (e) => (passes++, e.run([RET(0x00050001)], [at(39)])));
    expect(passes).toBe(1);
    expect(r).toEqual([{ kind: 'errno', errno: 1 }]);
  });
});
