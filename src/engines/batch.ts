// Paying an engine's fixed cost once. A VM boot costs seconds whatever the
// batch, yet evaluatePrograms, checkInputs and verifySpec call run() once per
// program or arch. withBatchedRuns runs such a pass twice: first against a
// recorder that answers every run 'skipped' and notes what was asked, then,
// after one runMany call for everything noted, against a replayer that
// answers from those results. The pass must be deterministic (it is: the
// emulator decides what to ask); anything it asks only the second time goes
// to the engine itself.
import type { Program } from 'unicorn-bpf-emulator';
import type { Engine, EngineCase, EngineCheckJob, EngineCheckStep, EngineJob, EngineOutcome, EngineRunOptions } from './engine.js';

const programKey = (p: Program): string => p.map((i) => `${i.code}.${i.jt}.${i.jf}.${i.k}`).join(' ');

/** A key for one run() call: the stack's instructions, the cases' data and the options. */
function jobKey(stack: readonly Program[], cases: readonly EngineCase[], opts: EngineRunOptions | undefined): string {
  const cs = cases.map((c) => `${c.arch.name}:${c.nr}:${c.args.join(',')}:${c.ip}`).join(';');
  return `${stack.map(programKey).join('|')}#${cs}#${opts?.threads ?? 'single'}:${opts?.execute === true}`;
}

const flagsKey = (n: number, flags: number | readonly number[] | undefined): string =>
  Array.from({ length: n }, (_, i) => (flags === undefined ? 0 : typeof flags === 'number' ? flags : (flags[i] ?? 0))).join(',');

/** An engine with `name` and `kernelArch` of `engine` and the given check and run. */
const standIn = (engine: Engine, check: Engine['check'], run: Engine['run']): Engine => ({
  name: engine.name,
  ...(engine.kernelArch === undefined ? {} : { kernelArch: engine.kernelArch }),
  ...(engine.kernelRelease === undefined ? {} : { kernelRelease: () => engine.kernelRelease!() }),
  check,
  run,
});

/** Jobs noted once each, by key. */
class Noted<J> {
  readonly jobs: J[] = [];
  readonly at = new Map<string, number>();
  note(key: string, job: J): void {
    if (this.at.has(key)) return;
    this.at.set(key, this.jobs.length);
    this.jobs.push(job);
  }
}

/**
 * `pass(e)` with e standing for `engine`, all of its run() calls made in one
 * engine.runMany call and all of its check() calls in one checkMany call.
 * Engines without either get `pass(engine)`.
 */
export function withBatchedRuns<T>(engine: Engine, pass: (e: Engine) => T): T {
  const { runMany, checkMany } = engine;
  if (runMany === undefined && checkMany === undefined) return pass(engine);
  const runs = new Noted<EngineJob>();
  const checks = new Noted<EngineCheckJob>();
  pass(standIn(
    engine,
    (stack, flags): EngineCheckStep[] => {
      if (checkMany === undefined) return engine.check(stack, flags);
      checks.note(`${stack.map(programKey).join('|')}#${flagsKey(stack.length, flags)}`, { stack, ...(flags === undefined ? {} : { flags }) });
      return stack.map((_, index) => ({ index, ok: true, errno: null }));
    },
    (stack, cases, opts): EngineOutcome[] => {
      if (runMany === undefined) return engine.run(stack, cases, opts);
      runs.note(jobKey(stack, cases, opts), { stack, cases, ...(opts === undefined ? {} : { opts }) });
      return cases.map(() => ({ kind: 'skipped', reason: 'not run yet' }));
    },
  ));
  const ran = runs.jobs.length === 0 || runMany === undefined ? [] : runMany.call(engine, runs.jobs);
  const checked = checks.jobs.length === 0 || checkMany === undefined ? [] : checkMany.call(engine, checks.jobs);
  if (ran.length !== runs.jobs.length || checked.length !== checks.jobs.length) throw new Error(`${engine.name}: a batch returned the wrong number of results`);
  return pass(standIn(
    engine,
    (stack, flags) => {
      const at = checks.at.get(`${stack.map(programKey).join('|')}#${flagsKey(stack.length, flags)}`);
      return at === undefined ? engine.check(stack, flags) : checked[at];
    },
    (stack, cases, opts) => {
      const at = runs.at.get(jobKey(stack, cases, opts));
      return at === undefined ? engine.run(stack, cases, opts) : ran[at];
    },
  ));
}
