// SEMANTICS §6 on an engine that runs the probe somewhere else (a VM, a
// container): every row of semantics_rows.ts in ONE batch (one boot, one
// container), each answer compared with the emulator set to that engine's
// kernel and with the row's stated result. Where the engine's kernel really
// differs from the x86_64 statement, the suite is given the row and the
// reason (an arch fact): a row the kernel cannot make must come back
// skipped, a row whose result differs must differ exactly as the
// arch-specific row says. Anything else that differs fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archByName, BPF_STMT, OP, SECCOMP_RET_ALLOW, seccompGetActionAvail, type Program } from 'unicorn-bpf-emulator';
import { programsWord, type ProbeAnswer } from '../../native/probe_protocol.js';
import { compareCheckSteps, compareOutcomes, countComparisons, formatComparisonCounts, type Comparison } from '../../src/engines/compare.js';
import { emulatorEngine, type EmulatorEngine } from '../../src/engines/emulator.js';
import type { EngineCheckJob, EngineCheckStep, EngineJob, EngineOutcome } from '../../src/engines/engine.js';
import { formatEngineOutcome } from '../../src/engines/format.js';
import { sandboxTask } from '../../src/engines/install_task.js';
import { resolveKernel } from '../../src/kernel.js';
import {
  bypassRows, checkSummary, RET_A, SEMANTICS_CHECK_ROWS, semanticsRunRows, X86_64_TARGET, type Row, type SemanticsTarget,
} from './semantics_rows.js';

export interface SemanticsBatch {
  readonly runs: readonly EngineJob[];
  readonly checks: readonly EngineCheckJob[];
  readonly requests: readonly string[];
}

export interface SemanticsBatchResult {
  readonly runs: readonly EngineOutcome[][];
  readonly checks: readonly EngineCheckStep[][];
  readonly answers: readonly ProbeAnswer[];
}

export interface SemanticsSuiteOptions {
  /** "vm:aarch64" */
  readonly engine: string;
  readonly target: SemanticsTarget;
  /** One batch (one boot / one container) for everything; called once, in beforeAll. */
  readonly batch: (b: SemanticsBatch) => SemanticsBatchResult;
  /** The engine's kernel release, read after the batch (the emulator emulates it); undefined: the running kernel. */
  readonly release: () => string | undefined;
  /** One line of figures about the batch (wall time, probes), read after it. */
  readonly stats: () => string;
  /** Row key ("#51 TRAP|1 on i386 getpid (20)") -> why this kernel cannot make that case: it must come back skipped. */
  readonly notMade: Readonly<Record<string, string>>;
  /** Row key -> why the result differs from SEMANTICS's x86_64 statement (the target's row states the arch's result). */
  readonly differs: Readonly<Record<string, string>>;
  /** Also run #60's neighbours of uretprobe/uprobe (x86_64 kernels). */
  readonly bypass: boolean;
}

/** Every run row, keyed "#NN title". */
export function flatRows(t: SemanticsTarget, bypass: boolean): { key: string; row: Row }[] {
  const out = Object.entries(semanticsRunRows(t)).flatMap(([name, rows]) => rows.map((row) => ({ key: `#${name.split(' ')[0]} ${row.title}`, row })));
  if (bypass) out.push(...bypassRows().map((row) => ({ key: `#60 ${row.title}`, row })));
  return out;
}

const show = (o: unknown): string => JSON.stringify(o, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
const RET_ALLOW: Program = [BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
const INVALID: Program = [BPF_STMT(OP.LD_MEM, 0), RET_A];

/** Raw requests for the rows Engine.check cannot express (semantics_rows CHECK_ROWS_NOT_EXPRESSIBLE). */
function rawRequests(): string[] {
  const allow = programsWord([RET_ALLOW], 'little');
  return [
    `check id=r27 nnp=0 ${programsWord([INVALID], 'little')}`, // 27: EACCES before the program is looked at
    'check id=r27len nnp=0 -', // ... but len 0 is still EINVAL
    `tsync id=r33 threads=3 flags=1 diverge=2 ${allow}`, // 33: TSYNC returns the TID of the thread with its own filter
    `tsync id=r33esrch threads=3 flags=17 diverge=2 ${allow}`, // ... -1/ESRCH with TSYNC_ESRCH
    'features id=r34', // 34: GET_ACTION_AVAIL
  ];
}

/** Define the suite (describe blocks) for one engine. */
export function semanticsSuite(o: SemanticsSuiteOptions): void {
  const rows = flatRows(o.target, o.bypass);
  const x86Wants = new Map(flatRows(X86_64_TARGET, true).map(({ key, row }) => [key, row.want]));
  let result: SemanticsBatchResult;
  let emu: EmulatorEngine;
  let wallMs = 0;
  const verdicts = new Map<string, Comparison>();
  const report: string[] = [];

  beforeAll(() => {
    const t0 = performance.now();
    result = o.batch({
      runs: rows.map(({ row }) => ({ stack: row.stack, cases: [row.case], opts: { threads: row.threads ?? 'single', execute: row.execute ?? false } })),
      checks: SEMANTICS_CHECK_ROWS.map((r) => ({ stack: r.stack, ...(r.flags === undefined ? {} : { flags: r.flags }) })),
      requests: rawRequests(),
    });
    wallMs = performance.now() - t0;
    // The emulator for the engine's kernel, loading stacks as a task of the target arch (its seccomp(2) number).
    emu = emulatorEngine({ kernel: resolveKernel(o.release()), task: sandboxTask(archByName(o.target.arch)) });
  });

  afterAll(() => {
    const c = countComparisons(verdicts.values());
    const facts = Object.keys(o.notMade).length + Object.keys(o.differs).length;
    report.unshift(`${o.engine} SEMANTICS §6: ${formatComparisonCounts(c, 'comparison')} (${facts} arch facts); one batch in ${wallMs.toFixed(0)} ms: ${o.stats()}`);
    console.log(report.join('\n'));
  });

  describe(`${o.engine}: SEMANTICS §6.2 rows, against the emulator for the same kernel`, () => {
    it('the arch-fact tables name rows that exist', () => {
      const keys = new Set(rows.map((r) => r.key));
      expect([...Object.keys(o.notMade), ...Object.keys(o.differs)].filter((k) => !keys.has(k))).toEqual([]);
    });

    it('the rows whose stated result differs from x86_64 are exactly the "differs" facts', () => {
      const differing = rows.filter(({ key, row }) => x86Wants.has(key) && show(x86Wants.get(key)) !== show(row.want)).map((r) => r.key);
      expect(differing.sort()).toEqual(Object.keys(o.differs).sort());
    });

    rows.forEach(({ key, row }, i) => {
      const fact = o.notMade[key] ?? o.differs[key];
      it(`${key}${fact ? ` [arch fact: ${fact}]` : ''}`, () => {
        const got = result.runs[i][0];
        const opts = { threads: row.threads ?? 'single', execute: row.execute ?? false } as const;
        const want = emu.run(row.stack, [row.case], opts)[0];
        const cmp = compareOutcomes(want, got);
        verdicts.set(key, cmp);
        if (o.notMade[key] !== undefined) {
          expect(got, `${key}: the kernel cannot make this case, so it must be skipped`).toMatchObject({ kind: 'skipped' });
          return;
        }
        if (row.want.kind === 'allowed') expect(['allowed', 'executed'], `${o.engine}: ${show(got)}`).toContain(got.kind);
        else expect(got, o.engine).toEqual(row.want);
        expect(want, 'emulator').toEqual(row.want);
        expect(cmp, `emulator ${formatEngineOutcome(want)}, ${o.engine} ${formatEngineOutcome(got)}`).toEqual({ verdict: 'agree' });
      });
    });
  });

  describe(`${o.engine}: SEMANTICS §6.1 checker rows, against the emulator for the same kernel`, () => {
    SEMANTICS_CHECK_ROWS.forEach((r, i) => {
      it(r.title, () => {
        const got = result.checks[i];
        const want = emu.check(r.stack, r.flags);
        expect(checkSummary(got), o.engine).toEqual(r.want);
        expect(checkSummary(want), 'emulator').toEqual(r.want);
        const n = Math.max(got.length, want.length);
        const bad = Array.from({ length: n }, (_, k) => compareCheckSteps(want[k], got[k])).filter((c) => c.verdict !== 'agree');
        verdicts.set(r.title, bad.length ? { verdict: 'disagree' } : { verdict: 'agree' });
        expect(bad).toEqual([]);
      });
    });

    it('6.1 #27 no NNP, no CAP_SYS_ADMIN, invalid program: EACCES (permission before program); len 0: EINVAL', () => {
      const task = { ...sandboxTask(archByName(o.target.arch)), noNewPrivs: false, capSysAdmin: false };
      const unprivileged = emulatorEngine({ kernel: emu.kernel, task });
      const steps = (a: ProbeAnswer): string | null => (a.steps as { errno: string | null }[])[0]?.errno ?? null;
      expect([steps(result.answers[0]), steps(result.answers[1])]).toEqual(['EACCES', 'EINVAL']);
      expect([unprivileged.check([INVALID])[0].errno, unprivileged.check([[]])[0].errno]).toEqual(['EACCES', 'EINVAL']);
      verdicts.set('6.1 #27', { verdict: 'agree' });
    });

    it('6.1 #33 TSYNC while another thread has its own filter: that thread\'s TID; with TSYNC_ESRCH -1/ESRCH (threads: not modelled by the emulator)', () => {
      type Tsync = { ok: boolean; ret: number; errno: string | null; threads: { tid: number }[] };
      const t = result.answers[2] as unknown as Tsync;
      const e = result.answers[3] as unknown as Tsync;
      expect(t).toMatchObject({ ok: false, errno: null, ret: t.threads[2].tid });
      expect(t.ret).toBeGreaterThan(0);
      expect(e).toMatchObject({ ok: false, errno: 'ESRCH' });
    });

    it('6.1 #34 GET_ACTION_AVAIL: 0x7ffe0000 / 0x00050001 EOPNOTSUPP, KILL_PROCESS 0; every value as the emulator says', () => {
      const f = result.answers[4] as unknown as { action_avail: { value: number; errno: string | null }[] };
      const byValue = new Map(f.action_avail.map((a) => [a.value >>> 0, a.errno]));
      expect([byValue.get(0x7ffe0000), byValue.get(0x00050001), byValue.get(0x80000000)]).toEqual(['EOPNOTSUPP', 'EOPNOTSUPP', null]);
      for (const [value, errno] of byValue) {
        const e = seccompGetActionAvail(value);
        expect(e.ok ? null : e.errno, `0x${value.toString(16)}`).toBe(errno);
      }
      verdicts.set('6.1 #34', { verdict: 'agree' });
    });
  });
}
