// seccheck fuzz FILTER [--time 60s | --runs N] [--seed S] [--arch A] [--thread T] [--format F] [--properties x32,arch,i386] [--progress]
import type { Command } from 'commander';
import { checkFilter, type ArchInfo } from 'unicorn-bpf-emulator';
import { formatRejection } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { chooseArch } from '../explain/explain.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import {
  PROPERTY_NAMES, defaultProperties, formatData, fuzz, makeProperty, type FuzzProgress, type PropertyName,
} from '../fuzz/fuzz.js';
import { endianOption, type CommandContext } from './context.js';
import { addInputOptions, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface FuzzCliOptions extends InputOptionValues {
  readonly time?: string;
  readonly runs?: string;
  readonly seed?: string;
  readonly properties?: string;
  readonly progress?: boolean;
  readonly endian: 'little' | 'big';
}

export const DEFAULT_FUZZ_RUNS = 100_000;

export function registerFuzz(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('fuzz')
    .description('check properties of a filter (x32 guard, arch guard, i386 handling) on many generated inputs with the compiled engine; stops at the first failure with a shrunk counterexample and the command that replays it')
    .argument('<filter>', 'a filter in any input format')
    .option('--time <duration>', 'fuzz for this long (e.g. 60s, 2m, 500ms; a bare number is seconds)')
    .option('--runs <n>', `fuzz this many cases (default ${DEFAULT_FUZZ_RUNS} unless --time is given)`)
    .option('--seed <n>', 'the run\'s seed, a 32-bit integer (default: random; printed for replay)')
    .option('--arch <arch>', 'the ABI the filter is for (default: the program\'s arch, else the one its arch check names, else the host\'s)')
    .option('--properties <list>', `comma-separated, of ${PROPERTY_NAMES.join(', ')} (default: x32,arch,i386 for x86_64 filters, else arch)`)
    .option('--progress', 'show the progress line even when stderr is not a terminal')
    .addOption(endianOption());
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Properties: x32 — every x86_64 syscall number with the x32 bit is denied; arch — every arch',
      'the filter does not name (beside --arch) is denied; i386 — i386 syscalls are denied or judged',
      'by rules written for i386. Inputs are biased toward the constants the filter compares.',
      'Exit status: 0 no failure, 1 a property failed, 2 bad input.',
    ].join('\n'))
    .action((filter: string, opts: FuzzCliOptions) => {
      if (opts.time !== undefined && opts.runs !== undefined) throw new SeccheckError(undefined, '--time', 'give --time or --runs, not both');
      const timeMs = opts.time === undefined ? undefined : parseDuration(opts.time);
      const runs = opts.runs === undefined ? (timeMs === undefined ? DEFAULT_FUZZ_RUNS : undefined) : parseCount(opts.runs, '--runs');
      const seed = opts.seed === undefined ? (Math.random() * 0x100000000) | 0 : parseSeed(opts.seed);
      const load = loadOptionsFrom(opts);
      const loaded = loadFilter(filter, { ...load, endian: opts.endian });
      printWarnings(ctx.io, loaded.source, loaded.warnings);
      const programs = selectPrograms(loaded, load.thread);
      if (programs.length === 0) throw new SeccheckError(loaded.source, undefined, 'no program to fuzz');
      if (programs.length > 1) {
        const threads = programs.map((p) => p.thread ?? '?').join(', ');
        throw new SeccheckError(loaded.source, undefined, `${programs.length} programs (threads ${threads}); pick one with --thread`);
      }
      const chosen = programs[0];
      const check = checkFilter(chosen.program);
      if (!check.accepted) throw new SeccheckError(loaded.source, undefined, `rejected: ${formatRejection(check)}`);
      const arch: ArchInfo | undefined = load.arch ?? chooseArch(chosen.program, chosen.arch);
      if (arch === undefined) throw new SeccheckError(undefined, '--arch', 'cannot tell which arch the filter is for; give --arch');
      const names = opts.properties === undefined ? defaultProperties(arch) : parseProperties(opts.properties);
      const props = names.map((n) => makeProperty(n, [chosen.program], arch));

      const showProgress = opts.progress === true || process.stderr.isTTY === true;
      let progressShown = false;
      const onProgress = showProgress
        ? (p: FuzzProgress): void => {
            progressShown = true;
            ctx.io.err(`\r${progressLine(p, runs)}\x1b[K`);
          }
        : undefined;
      const result = fuzz([chosen.program], props, { seed, runs, timeMs, onProgress });
      if (progressShown) ctx.io.err('\r\x1b[K');

      const rate = perSecond(result.cases, result.elapsedMs);
      const cov = `${result.edges.hit}/${result.edges.total} branch edges (${percent(result.edges.hit, result.edges.total)}, sampled 1 case in 8)`;
      const replay = replayCommand(filter, opts, arch, seed, names, result.failure ? result.failure.caseIndex : result.cases);
      if (result.failure) {
        const f = result.failure;
        ctx.io.out([
          `FAIL ${f.property}: ${f.description}`,
          `  counterexample (shrunk in ${f.shrunk.steps} steps): ${formatData(f.shrunk.data)}`,
          `    ${f.shrunk.message}`,
          `  first failing case (#${f.caseIndex}): ${formatData(f.original.data)}`,
          `    ${f.original.message}`,
          `  after ${result.cases} cases (${Math.round(result.elapsedMs)} ms), coverage ${cov}`,
          `  replay: ${replay}`,
        ].join('\n') + '\n');
        ctx.exitCode = 1;
        return;
      }
      ctx.io.out([
        `ok: ${names.join(', ')} held on ${result.cases} cases (seed ${seed}, ${rate} cases/s)`,
        `  coverage: ${cov}`,
        `  replay: ${replay}`,
      ].join('\n') + '\n');
      ctx.exitCode = 0;
    });
}

function progressLine(p: FuzzProgress, runs: number | undefined): string {
  const of = runs === undefined ? '' : `/${runs}`;
  return `fuzz: ${p.cases}${of} cases, ${perSecond(p.cases, p.elapsedMs)} cases/s, edges ${p.edges.hit}/${p.edges.total} (${percent(p.edges.hit, p.edges.total)})`;
}

const perSecond = (n: number, ms: number): string => (ms > 0 ? Math.round((n * 1000) / ms).toLocaleString('en-US') : '-');
const percent = (a: number, b: number): string => (b === 0 ? '100%' : `${((100 * a) / b).toFixed(1)}%`);

/** The command that replays this run (with the run's seed, and --runs up to the failing case). */
function replayCommand(filter: string, o: FuzzCliOptions, arch: ArchInfo, seed: number, names: readonly PropertyName[], runs: number): string {
  const parts = ['seccheck', 'fuzz', shellQuote(filter), '--seed', String(seed), '--runs', String(runs), '--arch', arch.name, '--properties', names.join(',')];
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

function parseProperties(v: string): PropertyName[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new SeccheckError(undefined, '--properties', 'empty list');
  for (const n of names) {
    if (!(PROPERTY_NAMES as readonly string[]).includes(n)) throw new SeccheckError(undefined, '--properties', `unknown property ${JSON.stringify(n)} (expected ${PROPERTY_NAMES.join(', ')})`);
  }
  return [...new Set(names)] as PropertyName[];
}

