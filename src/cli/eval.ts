// seccheck eval FILTER --cases CASES.jsonl [--json] [--endian little|big] [--kernel VERSION] [--engine E[,E...]] [--format F] [--thread T] [--env K=V]...
// seccheck eval FILTER --arch A --syscall S [--args a,b,...] [--ip N] [--json] ...
import type { Command } from 'commander';
import type { Endian } from 'unicorn-bpf-emulator';
import { loadAcceptedPrograms } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { enginesRecord, enginesReport, evaluateOnEngines, formatEnginesLine } from '../evaluate_engines.js';
import { caseFromOptions, readCases, type Case } from '../formats/cases.js';
import { resolveKernel } from '../kernel.js';
import { endianOption, printLines, type CommandContext } from './context.js';
import { ENGINE_LIST_HELP, engineListOption, resolveEngineList } from './engine_option.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface EvalOptions extends InputOptionValues {
  readonly cases?: string;
  readonly syscall?: string;
  readonly args?: string;
  readonly ip?: string;
  readonly json?: boolean;
  readonly endian: Endian;
  readonly kernel?: string;
  readonly engine: string;
}

export function registerEval(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('eval')
    .description('run syscalls through a filter and print what it returns')
    .argument('[filter]', 'a filter in any input format (none with --format cellos)')
    .option('--cases <file>', 'JSON lines: {"arch": "x86_64", "nr": 39, "args": [...], "ip": "0x0"}')
    .option('--arch <arch>', 'one case: libseccomp arch name (x86_64, x86 or i386, x32, aarch64, ...); also the target of formats that compile a policy')
    .option('--syscall <name|nr>', 'one case: syscall name from the arch\'s table, or its number')
    .option('--args <list>', 'one case: up to six comma-separated arguments (decimal or 0x-hex)')
    .option('--ip <n>', 'one case: instruction pointer')
    .option('--json', 'one JSON object per case: {"action", "data", "raw"} (and "thread" first for thread maps)')
    .addOption(endianOption())
    .option('--kernel <version>', 'kernel to emulate, e.g. 6.1 (default: the running kernel)')
    .addOption(engineListOption('run the cases'));
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Data is laid out in each case\'s arch byte order; x32 cases use arch "x32" with the',
      'x32 bit already in nr. Kernels from 6.14 (uretprobe) and 6.18 (uprobe) skip all filters',
      'for those x86_64 syscalls: such cases print ALLOW; use --kernel to emulate another kernel.',
      'A thread map without --thread runs every case on every thread, thread by thread;',
      'an empty program (boxlite\'s "no seccomp", cellos disabled) is no filter: ALLOW.',
      '',
      '--engine kernel|both adds "outcome" (what the running kernel showed; null when it',
      'could not run the case) to each line, and a summary line on stderr; both also adds',
      '"kernel": "agree"|"disagree"|"skipped" (with "reason"), prints each disagreement on',
      'stderr and exits 1 on any. An x86_64 kernel runs the x86_64, x86 (int 0x80) and x32',
      'cases with ip 0; other cases are skipped, with the reason.',
      '',
      ...ENGINE_LIST_HELP,
      'In the JSON lines of two engines besides the emulator, "outcome" is the first one\'s,',
      '"kernel" the verdict over all (disagree if any disagrees) and "engines" maps each',
      'engine to {"outcome", "verdict", "reason"?}. Unless --kernel is given, the emulator',
      'emulates each engine\'s own kernel (a VM\'s Debian 6.1, else the running one).',
    ].join('\n'))
    .action((filter: string | undefined, opts: EvalOptions) => {
      const engines = resolveEngineList(opts.engine);
      if (opts.kernel !== undefined) resolveKernel(opts.kernel); // a bad --kernel fails before any engine starts
      const single = singleCase(opts);
      const load = loadOptionsFrom(opts);
      const { loaded, programs } = loadAcceptedPrograms(inputArgument(filter, opts, 'filter'), { ...load, endian: opts.endian });
      const cases = single ? [single] : readCases(opts.cases as string);
      printWarnings(ctx.io, loaded.source, loaded.warnings);
      const ev = evaluateOnEngines(loaded.format, programs, cases, engines.others, { kernel: opts.kernel, withEmulator: engines.withEmulator });
      printLines(ctx.io, ev.verdicts.map((_, i) => (opts.json ? JSON.stringify(enginesRecord(ev, i)) : formatEnginesLine(ev, i))));
      ctx.exitCode = 0;
      const report = enginesReport(loaded.source, ev);
      for (const l of report.lines) ctx.io.err(`seccheck: ${l}\n`);
      if (report.disagreements > 0) ctx.exitCode = 1;
    });
}

/**
 * The one case --arch/--syscall/--args/--ip describe, or undefined with
 * --cases (where --arch only picks the target of a compiled format);
 * conflicts are errors.
 */
function singleCase(o: EvalOptions): Case | undefined {
  const single = o.syscall !== undefined || o.args !== undefined || o.ip !== undefined;
  if (o.cases !== undefined) {
    if (single) throw new SeccheckError(undefined, '--cases', 'give either --cases FILE or --arch/--syscall for one case, not both');
    return undefined;
  }
  if (o.arch === undefined || o.syscall === undefined) {
    throw new SeccheckError(undefined, undefined, 'eval needs --cases FILE, or --arch A --syscall S for one case');
  }
  return caseFromOptions({ arch: o.arch, syscall: o.syscall, args: o.args, ip: o.ip });
}
