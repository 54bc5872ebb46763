// runJobs/checkJobs: several stacks go to an engine in one runMany()/
// checkMany() call, with the answers of direct calls; engines without them
// are called once per stack. eval and check of several programs or files
// make one such call (one VM boot per command).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, encodeProgram, OP, type Insn } from 'unicorn-bpf-emulator';
import { checkInputs } from '../check_files.js';
import { evaluatePrograms } from '../evaluate.js';
import { checkJobs, runJobs } from './batch.js';
import { emulator } from './emulator.js';
import type { Engine, EngineCase } from './engine.js';

const at = (nr: number): EngineCase => ({ arch: archByName('x86_64')!, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], ip: 0n });
const RET = (k: number): Insn[] => [BPF_STMT(OP.RET_K, k >>> 0)];

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

const runs = [
  { stack: [RET(0x00050001)], cases: [at(39), at(40)] },
  { stack: [RET(0x7fff0000)], cases: [at(1)] },
];
const checks = [{ stack: [RET(0x7fff0000)], flags: 0 }, { stack: [RET(0x7fff0000), RET(0)], flags: 0 }];

const dir = mkdtempSync(join(tmpdir(), 'seccheck-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runJobs and checkJobs', () => {
  it('one runMany and one checkMany call, with the answers of direct calls', () => {
    const e = counting();
    const got = [runJobs(e, runs), checkJobs(e, checks)];
    expect(e.calls).toEqual(['runMany(2)', 'checkMany(2)']);
    expect(got).toEqual([runs.map((j) => emulator.run(j.stack, j.cases)), checks.map((j) => emulator.check(j.stack, j.flags))]);
  });

  it('an engine without runMany/checkMany is called once per stack', () => {
    expect(runJobs(emulator, runs)).toEqual([[{ kind: 'errno', errno: 1 }, { kind: 'errno', errno: 1 }], [{ kind: 'allowed', logged: false }]]);
    expect(checkJobs(emulator, checks).map((steps) => steps.length)).toEqual([1, 2]);
  });

  it('eval of a thread map and check of several files make one call each', () => {
    const e = counting();
    const threads = ['vmm', 'vcpu', 'api'].map((thread, i) => ({ thread, arch: null, program: RET(i === 0 ? 0x00050001 : 0x7fff0000) }));
    const verdicts = evaluatePrograms('bincode', threads, [{ ...at(39), line: 1 }], { engine: 'both', kernelEngine: e });
    expect(e.calls).toEqual(['runMany(3)']);
    expect(verdicts.map((v) => [v.thread, v.comparison?.verdict])).toEqual([['vmm', 'agree'], ['vcpu', 'agree'], ['api', 'agree']]);

    const files = [RET(0x7fff0000), RET(0x00050001)].map((p, i) => {
      const f = join(dir, `f${i}.bpf`);
      writeFileSync(f, encodeProgram(p));
      return f;
    });
    const c = counting();
    const checked = checkInputs(files, { engine: 'both', kernelEngine: c });
    expect(c.calls).toEqual(['checkMany(2)']);
    expect(checked.flatMap((x) => x.results.map((r) => r.status))).toEqual(['accepted', 'accepted']);
  });
});
