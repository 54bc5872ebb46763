// seccheck fuzz [FILTER] [--spec FILE] [--time 60s | --runs N] [--seed S] [--engine emulator|both] [--kernel-every K]
//               [--arch A] [--thread T] [--format F] [--properties x32,arch,i386,spec] [--progress]
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { checkFilter, type ArchInfo, type Program } from 'unicorn-bpf-emulator';
import { formatRejection } from '../check_files.js';
import { kernel, kernelAvailability, KernelUnavailableError } from '../engines/kernel.js';
import { SeccheckError } from '../errors.js';
import { chooseArch } from '../explain/explain.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import type { LoadOptions } from '../formats/filter.js';
import {
  defaultKernelEvery, formatDifferentialStats, kernelDifferential, KERNEL_ALL_UP_TO, DEFAULT_KERNEL_EVERY, type Differential,
} from '../fuzz/differential.js';
import {
  PROPERTY_NAMES, defaultPropertyPlan, formatData, fuzz, makeProperty, type FuzzProgress, type FuzzProperty, type FuzzResult, type PropertyName,
} from '../fuzz/fuzz.js';
import { loadSpecRuns, specProperties, type SpecProperties } from '../fuzz/spec.js';
import { describeExpectation, loadSpec, type Spec } from '../spec/spec.js';
import { endianOption, type CommandContext } from './context.js';
import { addInputOptions, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface FuzzCliOptions extends InputOptionValues {
  readonly spec?: string;
  readonly time?: string;
  readonly runs?: string;
  readonly seed?: string;
  readonly properties?: string;
  readonly progress?: boolean;
  readonly engine: 'emulator' | 'both';
  readonly kernelEvery?: string;
  readonly endian: 'little' | 'big';
}

type Choice = PropertyName | 'spec';
const CHOICES: readonly Choice[] = [...PROPERTY_NAMES, 'spec'];

export const DEFAULT_FUZZ_RUNS = 100_000;

export function registerFuzz(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('fuzz')
    .description('check properties of a filter (a spec\'s expectations, or the x32 guard, arch guard and i386 handling) on many generated inputs with the compiled engine; stops at the first failure with a shrunk counterexample and the command that replays it')
    .argument('[filter]', 'a filter in any input format (optional with --spec when the spec names one)')
    .option('--spec <file>', 'a spec file (as for verify): its expectations are the properties (first matching expectation decides)')
    .option('--time <duration>', 'fuzz for this long (e.g. 60s, 2m, 500ms; a bare number is seconds)')
    .option('--runs <n>', `fuzz this many cases (default ${DEFAULT_FUZZ_RUNS} unless --time is given)`)
    .option('--seed <n>', 'the run\'s seed, a 32-bit integer (default: random; printed for replay)')
    .option('--arch <arch>', 'the ABI the filter is for (default: the program\'s arch, else the one its arch check names, else the host\'s); not with --spec')
    .option('--properties <list>', `comma-separated, of ${CHOICES.join(', ')} (default: spec with --spec; else x32,arch,i386 for x86_64 filters, arch otherwise)`)
    .addOption(new Option('--engine <engine>', 'emulator: the compiled engine only; both: also run selected batches on the running kernel and fail on any disagreement').choices(['emulator', 'both']).default('emulator'))
    .option('--kernel-every <k>', `with --engine both: send every k-th round (a batch of 1024 cases per property) to the kernel (default 1 when --runs <= ${KERNEL_ALL_UP_TO}, else ${DEFAULT_KERNEL_EVERY})`)
    .option('--progress', 'show the progress bar even when stderr is not a terminal')
    .addOption(endianOption());
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Properties: x32 — every x86_64 syscall number with the x32 bit is denied; when the filter',
      'dispatches x32 numbers itself (JEQ on nr with 0x40000000, as libseccomp does with the x32',
      'arch added), the x32 numbers it does not dispatch are denied, and when it also allows the',
      'x86_64 numbers it does not dispatch (an x32-aware denylist), x32 is left out with a note',
      'unless named in --properties. arch — every arch the filter does not name (beside --arch) is',
      'denied; i386 — i386 syscalls are denied or judged by rules written for i386. spec — the',
      'expectations of --spec, per listed arch, as verify reads them (default covers table syscalls,',
      'x32 the x32 table). Inputs are biased toward the constants the filter and the spec compare;',
      'each fast-check case is followed by 3 recombinations of its batch\'s cases (cheap, for speed).',
      `--engine both: cases of x86_64/i386/x32 (the host's ABIs) also run on the kernel through the`,
      'probe (a forked child per batch; never in this process); every k-th round of batches',
      `(--kernel-every; all of them when --runs <= ${KERNEL_ALL_UP_TO}). Needs the kernel engine (exit 2 if not).`,
      'Exit status: 0 no failure, 1 a property failed or the engines disagree, 2 bad input.',
    ].join('\n'))
    .action((filterArg: string | undefined, opts: FuzzCliOptions) => {
      if (opts.time !== undefined && opts.runs !== undefined) throw new SeccheckError(undefined, '--time', 'give --time or --runs, not both');
      const timeMs = opts.time === undefined ? undefined : parseDuration(opts.time);
      const runs = opts.runs === undefined ? (timeMs === undefined ? DEFAULT_FUZZ_RUNS : undefined) : parseCount(opts.runs, '--runs');
      const seed = opts.seed === undefined ? (Math.random() * 0x100000000) | 0 : parseSeed(opts.seed);
      const asked = opts.properties === undefined ? undefined : parseProperties(opts.properties);
      if (opts.kernelEvery !== undefined && opts.engine !== 'both') throw new SeccheckError(undefined, '--kernel-every', 'only with --engine both');
      const kernelEvery = opts.kernelEvery === undefined ? defaultKernelEvery(runs) : parseCount(opts.kernelEvery, '--kernel-every');
      if (opts.engine === 'both') {
        const a = kernelAvailability();
        if (!a.ok) throw new KernelUnavailableError(a.reason);
      }

      const plan = opts.spec !== undefined ? planSpec(filterArg, opts, asked, ctx) : planFilter(filterArg, opts, asked, ctx);
      const diff: Differential | undefined = opts.engine === 'both' ? kernelDifferential(kernel, kernelEvery) : undefined;

      const bar = progressBar(opts, runs, timeMs, ctx);
      const result = fuzz(plan.properties, {
        seed, runs, timeMs, second: diff,
        onProgress: bar ? (p) => bar.update(p) : undefined,
      });
      bar?.stop(result);

      const rate = perSecond(result.cases, result.elapsedMs);
      const cov = `${result.edges.hit}/${result.edges.total} branch edges (${percent(result.edges.hit, result.edges.total)}, sampled 1 case in 8)`;
      const replay = replayCommand(filterArg, opts, plan, seed, result.failure ? result.failure.caseIndex : result.cases, kernelEvery);
      const notes = plan.notes.map((n) => `  note: ${n}`);
      if (result.failure) {
        ctx.io.out(failureLines(result, cov, replay, diff).concat(notes).join('\n') + '\n');
        ctx.exitCode = 1;
        return;
      }
      const lines = [`ok: ${plan.summary} held on ${result.cases} cases (seed ${seed}, ${rate} cases/s)`];
      if (plan.spec) lines.push(...expectationCounts(plan.spec.spec, plan.spec.props, plan.spec.label));
      lines.push(`  coverage: ${cov}`);
      if (diff) lines.push(`  kernel: ${formatDifferentialStats(diff.stats)}`);
      lines.push(...notes, `  replay: ${replay}`);
      ctx.io.out(lines.join('\n') + '\n');
      ctx.exitCode = 0;
    });
}

interface Plan {
  readonly properties: FuzzProperty[];
  /** What held, for the ok line ("x32, arch, i386", "5 expectations of spec.yaml"). */
  readonly summary: string;
  /** The --properties of the replay command. */
  readonly names: readonly Choice[];
  /** --arch of the replay (filter mode only). */
  readonly arch?: ArchInfo;
  readonly notes: string[];
  readonly spec?: { readonly spec: Spec; readonly props: SpecProperties; readonly label: string };
}

/** FILTER alone: the built-in properties on its one program. */
function planFilter(filter: string | undefined, opts: FuzzCliOptions, asked: readonly Choice[] | undefined, ctx: CommandContext): Plan {
  if (filter === undefined) throw new SeccheckError(undefined, undefined, 'missing the filter to fuzz (give FILTER, or --spec with a spec that names one)');
  if (asked?.includes('spec')) throw new SeccheckError(undefined, '--properties', 'spec needs --spec FILE');
  const load = loadOptionsFrom(opts);
  const program = loadOne(filter, { ...load, endian: opts.endian }, load.thread, ctx);
  const arch: ArchInfo | undefined = load.arch ?? chooseArch(program.program, program.arch);
  if (arch === undefined) throw new SeccheckError(undefined, '--arch', 'cannot tell which arch the filter is for; give --arch');
  const stack = [program.program];
  const { names, notes } = asked === undefined ? defaultPropertyPlan(arch, stack) : { names: asked as PropertyName[], notes: [] };
  return { properties: names.map((n) => makeProperty(n, stack, arch)), summary: names.join(', '), names, arch, notes };
}

/** --spec: the spec's expectations per listed arch (and built-ins when --properties names them). */
function planSpec(filterArg: string | undefined, opts: FuzzCliOptions, asked: readonly Choice[] | undefined, ctx: CommandContext): Plan {
  if (opts.arch !== undefined) throw new SeccheckError(undefined, '--arch', 'not with --spec (the spec\'s "arches" are fuzzed)');
  const label = opts.spec!;
  const spec = loadSpec(label);
  const load = loadOptionsFrom(opts);
  const runs = loadSpecRuns(spec, {
    ...(filterArg !== undefined ? { filter: filterArg } : {}),
    ...(load.format !== undefined ? { format: load.format } : {}),
    ...(load.thread !== undefined ? { thread: load.thread } : {}),
    ...(load.env !== undefined ? { env: load.env } : {}),
    endian: opts.endian,
    onWarnings: (source, warnings) => printWarnings(ctx.io, source, warnings),
  });
  const names: readonly Choice[] = asked ?? ['spec'];
  const properties: FuzzProperty[] = [];
  const notes: string[] = [];
  let props: SpecProperties | undefined;
  if (names.includes('spec')) {
    props = specProperties(spec, runs, label);
    properties.push(...props.properties);
    notes.push(...props.notes);
  }
  for (const n of names) {
    if (n === 'spec') continue;
    const on = runs.filter((r) => n === 'arch' || r.abi.name === 'x86_64');
    if (on.length === 0) throw new SeccheckError(undefined, '--properties', `${n} applies to x86_64 filters; the spec lists ${spec.arches.map((a) => a.name).join(', ')}`);
    for (const r of on) properties.push(makeProperty(n, r.stack, r.abi));
  }
  if (properties.length === 0) throw new SeccheckError(label, undefined, 'nothing to fuzz: no expectation can be reached on the listed arches');
  const count = spec.expect.length;
  const builtins = names.filter((n) => n !== 'spec');
  const summary = [...(props ? [`${count} expectation${count === 1 ? '' : 's'} of ${label}`] : []), ...builtins].join(', ');
  return { properties, summary, names, notes, ...(props ? { spec: { spec, props, label } } : {}) };
}

/** The one program of `file` (or the --thread named); checked as the kernel would. */
function loadOne(file: string, load: LoadOptions, thread: string | undefined, ctx: CommandContext): { program: Program; arch: ArchInfo | null } {
  const loaded = loadFilter(file, load);
  printWarnings(ctx.io, loaded.source, loaded.warnings);
  const programs = selectPrograms(loaded, thread);
  if (programs.length > 1) {
    const threads = programs.map((p) => p.thread ?? '?').join(', ');
    throw new SeccheckError(loaded.source, undefined, `${programs.length} programs (threads ${threads}); pick one with --thread`);
  }
  const chosen = programs[0];
  const check = checkFilter(chosen.program);
  if (!check.accepted) throw new SeccheckError(loaded.source, undefined, `rejected: ${formatRejection(check)}`);
  return { program: chosen.program, arch: chosen.arch };
}

function failureLines(result: FuzzResult, cov: string, replay: string, diff: Differential | undefined): string[] {
  const f = result.failure!;
  const head = f.kind === 'disagreement' ? `FAIL emulator and kernel disagree (property ${f.property}'s inputs)` : `FAIL ${f.headline}`;
  const lines = [
    head,
    `  counterexample (shrunk in ${f.shrunk.steps} steps): ${formatData(f.shrunk.data)}`,
    `    ${f.shrunk.message}`,
    `  first failing case (#${f.caseIndex}): ${formatData(f.original.data)}`,
    `    ${f.original.message}`,
    `  after ${result.cases} cases (${Math.round(result.elapsedMs)} ms), coverage ${cov}`,
  ];
  if (diff) lines.push(`  kernel: ${formatDifferentialStats(diff.stats).replace(', 0 disagree', '')}`);
  lines.push(`  replay: ${replay}`);
  return lines;
}

/** "  spec.yaml:5 ptrace: ERRNO(EPERM): 12,345 cases" per expectation. */
function expectationCounts(spec: Spec, props: SpecProperties, label: string): string[] {
  return spec.expect.map((e, i) => `  ${label}:${e.line} ${describeExpectation(e)}: ${e.actionText}: ${props.decided[i].toLocaleString('en-US')} cases`);
}

interface Bar {
  update(p: FuzzProgress): void;
  stop(r: FuzzResult): void;
}

/**
 * A cli-progress bar on stderr (a TTY, or --progress): cases of --runs, or
 * elapsed of --time; cases/s; edge coverage so far. The fuzz loop is
 * synchronous, so it renders from the loop's progress calls, not a timer.
 */
function progressBar(opts: FuzzCliOptions, runs: number | undefined, timeMs: number | undefined, ctx: CommandContext): Bar | undefined {
  const tty = process.stderr.isTTY === true;
  if (!tty && opts.progress !== true) return undefined;
  const stream = {
    isTTY: tty,
    columns: process.stderr.columns,
    write: (s: string): boolean => { ctx.io.err(s); return true; },
  } as unknown as NodeJS.WritableStream;
  const bar = new cliProgress.SingleBar({
    stream, noTTYOutput: !tty, clearOnComplete: tty, hideCursor: tty, barsize: 24, etaBuffer: 20,
    format: `fuzz |{bar}| {cases}${runs === undefined ? ' cases, {elapsed}s of {limit}s' : ` of {limit} cases`} | {rate} cases/s | edges {edges}`,
  }, cliProgress.Presets.shades_classic);
  const byTime = runs === undefined;
  const total = byTime ? Math.round((timeMs ?? 0) / 100) : runs;
  const payload = (p: FuzzProgress): Record<string, string> => ({
    cases: p.cases.toLocaleString('en-US'),
    limit: byTime ? ((timeMs ?? 0) / 1000).toFixed(1) : runs.toLocaleString('en-US'),
    elapsed: (p.elapsedMs / 1000).toFixed(1),
    rate: perSecond(p.cases, p.elapsedMs),
    edges: p.edges.total === 0 ? '-' : `${p.edges.hit}/${p.edges.total} (${percent(p.edges.hit, p.edges.total)})`,
  });
  const value = (p: FuzzProgress): number => Math.min(total, byTime ? Math.round(p.elapsedMs / 100) : p.cases);
  bar.start(total, 0, payload({ cases: 0, elapsedMs: 0, edges: { hit: 0, total: 0 } }));
  let lastLine = Date.now();
  return {
    update(p) {
      bar.update(value(p), payload(p));
      // Not a TTY: cli-progress renders on a timer the synchronous loop never yields to; a line every 2 s.
      if (!tty && Date.now() - lastLine >= 2000) {
        lastLine = Date.now();
        (bar as unknown as { render(): void }).render();
      }
    },
    stop(r) {
      bar.update(value(r), payload(r));
      bar.stop();
    },
  };
}

const perSecond = (n: number, ms: number): string => (ms > 0 ? Math.round((n * 1000) / ms).toLocaleString('en-US') : '-');
const percent = (a: number, b: number): string => (b === 0 ? '100%' : `${((100 * a) / b).toFixed(1)}%`);

/** The command that replays this run (with the run's seed, and --runs up to the failing case). */
function replayCommand(filter: string | undefined, o: FuzzCliOptions, plan: Plan, seed: number, runs: number, kernelEvery: number): string {
  const parts = ['seccheck', 'fuzz'];
  if (filter !== undefined) parts.push(shellQuote(filter));
  if (o.spec !== undefined) parts.push('--spec', shellQuote(o.spec));
  parts.push('--seed', String(seed), '--runs', String(runs));
  if (plan.arch) parts.push('--arch', plan.arch.name);
  parts.push('--properties', plan.names.join(','));
  if (o.engine === 'both') parts.push('--engine', 'both', '--kernel-every', String(kernelEvery));
  if (o.format) parts.push('--format', o.format);
  if (o.thread !== undefined) parts.push('--thread', shellQuote(o.thread));
  if (o.endian !== 'little') parts.push('--endian', o.endian);
  for (const e of o.env ?? []) parts.push('--env', shellQuote(e));
  return parts.join(' ');
}

const shellQuote = (s: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function parseDuration(v: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new SeccheckError(undefined, '--time', `${JSON.stringify(v)} is not a duration (e.g. 60s, 2m, 500ms)`);
  return ms;
}

function parseCount(v: string, opt: string): number {
  if (!/^[0-9]+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new SeccheckError(undefined, opt, `${JSON.stringify(v)} is not a positive whole number`);
  }
  return Number(v);
}

function parseSeed(v: string): number {
  const t = v.trim();
  const n = /^-?[0-9]+$/.test(t) ? Number(t) : /^0x[0-9a-f]+$/i.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new SeccheckError(undefined, '--seed', `${JSON.stringify(v)} is not a 32-bit integer`);
  return n | 0;
}

function parseProperties(v: string): Choice[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new SeccheckError(undefined, '--properties', 'empty list');
  for (const n of names) {
    if (!(CHOICES as readonly string[]).includes(n)) throw new SeccheckError(undefined, '--properties', `unknown property ${JSON.stringify(n)} (expected ${CHOICES.join(', ')})`);
  }
  return [...new Set(names)] as Choice[];
}
