// seccheck explain [FILTER] [--arch A] [--thread T] [--json] [--format F] [--endian E] [--env K=V]... [--budget N]
import type { Command } from 'commander';
import { BPF_STMT, checkFilter, OP, SECCOMP_RET_ALLOW, type Endian } from 'unicorn-bpf-emulator';
import { formatRejection } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { chooseArch, explainProgram } from '../explain/explain.js';
import { explanationRecord, formatExplanation } from '../explain/format.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import { installsNothing, nothingInstalledReason } from '../formats/no_filter.js';
import { endianOption, printLines, type CommandContext } from './context.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface ExplainOptions extends InputOptionValues {
  readonly json?: boolean;
  readonly endian: Endian;
  readonly budget?: string;
}

export function registerExplain(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('explain')
    .description('for every syscall of an arch, the action a filter gives it, or the argument conditions that decide it (exact, with checked witnesses)')
    .argument('[filter]', 'a filter in any input format (none with --format cellos)')
    .option('--arch <arch>', 'the syscall table to explain, and the target of formats that compile a policy (default: the program\'s arch, else the one its arch check names, else the host\'s)')
    .option('--json', 'one JSON document: {arch, thread, syscalls, foreign_arch, x32?, i386?, findings}')
    .option('--budget <steps>', 'instructions to execute per syscall over all its paths before reporting "too many paths" (default 100000)')
    .addOption(endianOption());
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Every path of the program is walked with the arguments and instruction pointer symbolic;',
      'conditions print on 64-bit fields in the arch\'s byte order (x.lo / x.hi: the low / high',
      '32 bits where halves cannot be combined). Each condition set comes with a witness, a',
      'seccomp_data (a case line for `seccheck eval --cases`) that the emulator confirms. Findings:',
      'x32 and compat (i386) numbers of denied syscalls that run, and syscalls of the same family',
      'as a denied one (mount ~ fsopen/fsmount/..., kexec_load ~ kexec_file_load, unshare/setns ~',
      'clone with CLONE_NEW* flags and clone3, ...) that run. A thread map needs --thread.',
    ].join('\n'))
    .action((filter: string | undefined, opts: ExplainOptions) => {
      const budget = parseBudget(opts.budget);
      const load = loadOptionsFrom(opts);
      const loaded = loadFilter(inputArgument(filter, opts, 'filter'), { ...load, endian: opts.endian });
      printWarnings(ctx.io, loaded.source, loaded.warnings);
      const programs = selectPrograms(loaded, load.thread);
      if (programs.length === 0) throw new SeccheckError(loaded.source, undefined, 'no program to explain');
      if (programs.length > 1) {
        const threads = programs.map((p) => p.thread ?? '?').join(', ');
        throw new SeccheckError(loaded.source, undefined, `${programs.length} programs (threads ${threads}); pick one with --thread`);
      }
      const chosen = programs[0];
      let program = chosen.program;
      if (installsNothing(loaded.format, chosen)) {
        ctx.io.err(`seccheck: note: ${loaded.source}: ${nothingInstalledReason(loaded.format)}; explaining it as RET ALLOW\n`);
        program = [BPF_STMT(OP.RET_K, SECCOMP_RET_ALLOW)];
      }
      const check = checkFilter(program);
      const where = chosen.thread === null ? '' : `thread ${JSON.stringify(chosen.thread)}: `;
      if (!check.accepted) throw new SeccheckError(loaded.source, undefined, `${where}rejected: ${formatRejection(check)}`);
      const arch = load.arch ?? chooseArch(program, chosen.arch);
      if (arch === undefined) throw new SeccheckError(undefined, '--arch', 'cannot tell which arch to explain (the filter checks none and the host has no syscall table); give --arch');
      const explanation = explainProgram(program, arch, { thread: chosen.thread, budget });
      if (opts.json) ctx.io.out(JSON.stringify(explanationRecord(explanation)) + '\n');
      else printLines(ctx.io, formatExplanation(explanation, loaded.source));
      ctx.exitCode = 0;
      for (const f of explanation.selfCheck.failures) {
        ctx.io.err(`seccheck: explain self-check failed: ${f} (internal error; please report)\n`);
        ctx.exitCode = 3; // EXIT_INTERNAL: a bug in seccheck
      }
    });
}

function parseBudget(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new SeccheckError(undefined, '--budget', `${JSON.stringify(v)} is not a positive whole number of steps`);
  }
  return Number(v);
}
