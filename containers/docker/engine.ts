// The container:ARCH engines (issue 6): the kernel engine's guarded probe,
// run by testcontainers in an image built FROM scratch with only the static
// seccheck-probe in it. Same batch protocol (native/probe_protocol.ts), same
// skip rules and Outcomes as the kernel engine and the VMs; each run/check
// call is one container, runMany/checkMany put many stacks in one, batch()
// runs, checks and raw probe requests together.
//
// seccomp 'unconfined' (the default) runs the probe without Docker's own
// profile, so the filters under test alone decide, as on the host. With
// 'default', Docker's profile is installed before the probe starts and the
// filters under test stack on it, as they do in production: compare those
// answers with the emulator running [Docker's profile, ...stack] (the
// daemon's profile, which depends on its version and runc; the probe needs
// run outer=1, SC_RUN_OUTER, to run below it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Program } from 'unicorn-bpf-emulator';
import type { KernelInstallStep } from '../../native/install.js';
import { parseAnswers, type ProbeAnswer } from '../../native/probe_protocol.js';
import type { Engine, EngineCase, EngineCheckJob, EngineJob, EngineOutcome, EngineRunOptions } from '../../src/engines/engine.js';
import { planProbeBatch, type ProbeBatch, type ProbeBatchResult } from '../probe_batch.js';
import { SeccheckError } from '../../src/errors.js';
import type { DockerSeccomp, RunProbeResult } from './driver.mjs';
import { callDriver } from './sync.js';

export type ContainerArch = 'x86_64' | 'aarch64';
export type { DockerSeccomp };

export interface ContainerEngineOptions {
  /** 'unconfined' (default): no Docker profile; 'default': Docker's own profile under the filters under test. */
  readonly seccomp?: DockerSeccomp;
  /** Deadline of each probe child inside the container, in milliseconds (the probe's default when absent). */
  readonly timeoutMs?: number;
  /** Deadline of each container, start to result (default 60 s): then it is killed and removed. */
  readonly deadlineMs?: number;
  /** Where to print what is built on first use (default process.stderr; null: quiet). */
  readonly progress?: NodeJS.WritableStream | null;
  /** Another static probe build to put in the image (default native/build/seccheck-probe). */
  readonly probe?: string;
}

/** One stack and its cases, for runMany. */
export type ContainerJob = EngineJob;

/** What one container of batch() does: run jobs, check jobs and raw request lines, in that order. */
export type ContainerBatch = ProbeBatch;
export type ContainerBatchResult = ProbeBatchResult;

/** The figures of the last container, for benchmarks. */
export interface ContainerRunStats {
  /** Host clock: testcontainers' start() called until the probe's output ended. */
  readonly wallMs: number;
  /** Docker's StartedAt to FinishedAt: the probe's whole batch inside the container. */
  readonly insideMs: number;
  /** Cases the probe made (skipped ones excluded). */
  readonly probes: number;
}

// EngineName is 'emulator' | 'kernel' today; container:ARCH joins it when wired into src/engines.
export interface ContainerEngine extends Engine {
  readonly name: `container:${ContainerArch}`;
  readonly seccomp: DockerSeccomp;
  /** The image tag (seccheck-probe:ARCH-KEY, KEY from the probe's hash). */
  readonly image: string;
  check(stack: readonly Program[], flags?: number | readonly number[]): KernelInstallStep[];
  /** run() for many stacks in one container; one outcome list per job. */
  runMany(jobs: readonly ContainerJob[]): EngineOutcome[][];
  /** check() for many stacks in one container; one step list per job. */
  checkMany(jobs: readonly EngineCheckJob[]): KernelInstallStep[][];
  /** runMany, checkMany and raw probe request lines (features, tsync, ...) together in ONE container. */
  batch(b: ContainerBatch): ContainerBatchResult;
  /** Figures of the last container (undefined before the first). */
  readonly lastRun: ContainerRunStats | undefined;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// From dist/containers/docker the sources' native/build is one level further up.
const nativeBuild = (): string => [join(repoRoot, 'native', 'build'), join(repoRoot, '..', 'native', 'build')].find((d) => existsSync(d)) ?? join(repoRoot, 'native', 'build');

const fail = (arch: ContainerArch, problem: string): never => {
  throw new SeccheckError(undefined, `container:${arch}`, problem);
};

/**
 * Why container:ARCH cannot run on this host at all, or null. aarch64 on an
 * x86_64 host would run under qemu-user, whose seccomp support is missing.
 */
export function containerArchRefusal(arch: ContainerArch, hostArch: string = process.arch): string | null {
  if (arch === 'x86_64' && hostArch !== 'x64') return `needs an x86_64 host (this is ${hostArch}); on arm64 use container:aarch64, or vm:x86_64`;
  if (arch === 'aarch64' && hostArch !== 'arm64') {
    return (
      `cannot run on this ${hostArch === 'x64' ? 'x86_64' : hostArch} host: an arm64 container would run under qemu-user, where prctl(PR_SET_SECCOMP) fails with EINVAL ` +
      'and seccomp() with ENOSYS, so no filter can be installed; use vm:aarch64 (a real arm64 kernel under qemu-system) or a native arm64 runner (kernel or container:aarch64 there)'
    );
  }
  return null;
}

/** The static probe for `arch` on this host, its image key and tag, or a one-line SeccheckError. */
function probeImage(arch: ContainerArch, given?: string): { probe: string; key: string; tag: string } {
  const refusal = containerArchRefusal(arch);
  if (refusal !== null) fail(arch, refusal);
  // The host's own static build (native/build.mjs): x86_64 on x64, aarch64 on arm64.
  const probe = given ?? join(nativeBuild(), 'seccheck-probe');
  let linked = given === undefined ? '' : 'static';
  try {
    if (given === undefined) linked = (JSON.parse(readFileSync(join(nativeBuild(), 'status.json'), 'utf8')) as { executable?: string }).executable ?? '';
  } catch {
    // reported below
  }
  if (!existsSync(probe) || linked !== 'static') fail(arch, `no static probe at ${probe} (an image FROM scratch needs one); run node native/build.mjs (needs libc6-dev's libc.a)`);
  const key = createHash('sha256').update(readFileSync(probe)).digest('hex').slice(0, 16);
  return { probe, key, tag: `seccheck-probe:${arch}-${key}` };
}

/** Whether a Docker engine answers here, with the reason and the fix when not. */
export function dockerAvailability(): { readonly ok: true; readonly serverVersion: string } | { readonly ok: false; readonly reason: string } {
  let s;
  try {
    s = callDriver('dockerStatus', undefined, 60_000);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  return s.ok ? { ok: true, serverVersion: s.serverVersion } : { ok: false, reason: `no Docker engine answers (${s.reason}); run npm run setup:docker` };
}

// Images known to exist in this process (checked or built once).
const ready = new Set<string>();

/** Build the probe image unless it exists; print what is built. Returns the build time, or null when it was there. */
export function ensureProbeImage(
  arch: ContainerArch, progress: NodeJS.WritableStream | null = process.stderr, probePath?: string,
): { tag: string; key: string; buildMs: number | null } {
  const { probe, key, tag } = probeImage(arch, probePath);
  if (ready.has(tag)) return { tag, key, buildMs: null };
  const where = `container:${arch}`;
  const status = callDriver('dockerStatus', undefined, 60_000);
  if (!status.ok) fail(arch, `no Docker engine answers (${status.reason}); run npm run setup:docker`);
  let buildMs: number | null = null;
  if (!callDriver('imageExists', tag, 60_000)) {
    const size = (statSync(probe).size / 1e6).toFixed(1);
    const shown = relative(process.cwd(), probe).startsWith('..') ? probe : relative(process.cwd(), probe);
    progress?.write(`${where}: building image ${tag} (FROM scratch + ${shown}, ${size} MB)\n`);
    let built;
    try {
      built = callDriver('buildImage', { probePath: probe, tag, key }, 300_000);
    } catch (e) {
      return fail(arch, `building image ${tag} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    buildMs = built.ms;
    progress?.write(`${where}: built ${tag} in ${(built.ms / 1000).toFixed(1)} s${built.removedOld.length ? `; removed the older ${built.removedOld.join(', ')}` : ''}\n`);
  }
  ready.add(tag);
  return { tag, key, buildMs };
}

/**
 * Remove every container and image the container engines made (label
 * org.seccheck.probe) and nothing else. The next run builds the image again.
 */
export function removeImages(): { containers: number; images: string[] } {
  ready.clear();
  return callDriver('removeImages', {}, 120_000);
}

/**
 * The container:ARCH engine. Nothing is checked until first use; then a
 * missing Docker engine, probe or arch support is a one-line SeccheckError
 * (container:aarch64 on an x86_64 host always is: see containerArchRefusal).
 */
export function containerEngine(arch: ContainerArch, opts: ContainerEngineOptions = {}): ContainerEngine {
  const where = `container:${arch}`;
  const seccomp = opts.seccomp ?? 'unconfined';
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const nodeArch = arch === 'x86_64' ? 'x64' : 'arm64';
  let lastRun: ContainerRunStats | undefined;

  /** One container with `requests`; one answer per request. */
  const runBatch = (requests: readonly string[], probes: number): ProbeAnswer[] => {
    const { tag, key } = ensureProbeImage(arch, opts.progress === undefined ? process.stderr : opts.progress, opts.probe);
    let r: RunProbeResult;
    try {
      r = callDriver('runProbe', { tag, key, batch: requests.join('\n') + '\n', seccomp, deadlineMs }, deadlineMs + 60_000);
    } catch (e) {
      return fail(arch, e instanceof Error ? e.message : String(e));
    }
    lastRun = { wallMs: r.wallMs, insideMs: r.insideMs, probes };
    const tail = (): string => r.output.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
    let answers: ProbeAnswer[];
    try {
      answers = parseAnswers(r.output);
    } catch (e) {
      return fail(arch, `unreadable answer in the container's output (${e instanceof Error ? e.message : String(e)})`);
    }
    if (r.exitCode !== 0) fail(arch, `the probe exited with status ${r.exitCode}${r.oomKilled ? ' (out of memory)' : ''}${tail() ? `: ${tail()}` : ''}`);
    if (answers.length !== requests.length) fail(arch, `${answers.length} answers for ${requests.length} requests${tail() ? `; output: ${tail()}` : ''}`);
    return answers;
  };

  // container:aarch64 on x86_64 refuses every call, even one with nothing to run.
  const refuse = (): void => {
    const refusal = containerArchRefusal(arch);
    if (refusal !== null) fail(arch, refusal);
  };

  const batch = (b: ContainerBatch): ContainerBatchResult => {
    refuse();
    // Under Docker's profile the probe runs below a filter of its own: outer=1 accepts that
    // (instead of EALREADY) and reports an outer ERRNO that beats its TRACE guard.
    const plan = planProbeBatch(b, { nodeArch, endian: 'little', timeoutMs: opts.timeoutMs, outer: seccomp === 'default' });
    return plan.finish(plan.requests.length === 0 ? [] : runBatch(plan.requests, plan.probes));
  };

  const runMany = (jobs: readonly ContainerJob[]): EngineOutcome[][] => batch({ runs: jobs }).runs;

  return {
    name: where as `container:${ContainerArch}`,
    seccomp,
    get image() {
      return probeImage(arch, opts.probe).tag;
    },
    get lastRun() {
      return lastRun;
    },
    check(stack, flags) {
      return batch({ checks: [{ stack, ...(flags === undefined ? {} : { flags }) }] }).checks[0];
    },
    checkMany: (jobs) => batch({ checks: jobs }).checks,
    batch,
    run(stack, cases, runOpts) {
      return runMany([{ stack, cases, opts: runOpts }])[0];
    },
    runMany,
  };
}

/** Both answers of issue 6 for one stack: with Docker's default profile under it, and unconfined. */
export interface ContainerBothResult {
  readonly unconfined: EngineOutcome[];
  readonly default: EngineOutcome[];
  /** Figures of each container (undefined when every case was skipped and none ran). */
  readonly stats: { readonly unconfined: ContainerRunStats | undefined; readonly default: ContainerRunStats | undefined };
}

/** Run `stack` on `cases` in two containers of `arch`: seccomp=unconfined and Docker's default profile. */
export function runBoth(
  stack: readonly Program[], cases: readonly EngineCase[], runOpts?: EngineRunOptions, arch: ContainerArch = 'x86_64',
  opts: Omit<ContainerEngineOptions, 'seccomp'> = {},
): ContainerBothResult {
  const unconfined = containerEngine(arch, { ...opts, seccomp: 'unconfined' });
  const dflt = containerEngine(arch, { ...opts, seccomp: 'default' });
  const u = unconfined.run(stack, cases, runOpts);
  const d = dflt.run(stack, cases, runOpts);
  return { unconfined: u, default: d, stats: { unconfined: unconfined.lastRun, default: dflt.lastRun } };
}
