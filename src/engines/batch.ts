// Paying an engine's fixed cost once. A VM boot or a container start costs
// far more than a batch of cases, so a command that runs several stacks (the
// threads of a thread map, the files of `check`) hands them all over in one
// runMany/checkMany call when the engine has one.
import type { Engine, EngineCheckJob, EngineCheckStep, EngineJob, EngineOutcome } from './engine.js';

/** run() of each job, in one runMany call when the engine has one. */
export function runJobs(engine: Engine, jobs: readonly EngineJob[]): EngineOutcome[][] {
  if (jobs.length === 0) return [];
  const out = engine.runMany ? engine.runMany(jobs) : jobs.map((j) => engine.run(j.stack, j.cases, j.opts));
  if (out.length !== jobs.length) throw new Error(`${engine.name}: ${out.length} results for ${jobs.length} stacks`);
  return out;
}

/** check() of each job, in one checkMany call when the engine has one. */
export function checkJobs(engine: Engine, jobs: readonly EngineCheckJob[]): EngineCheckStep[][] {
  if (jobs.length === 0) return [];
  const out = engine.checkMany ? engine.checkMany(jobs) : jobs.map((j) => engine.check(j.stack, j.flags));
  if (out.length !== jobs.length) throw new Error(`${engine.name}: ${out.length} results for ${jobs.length} stacks`);
  return out;
}
