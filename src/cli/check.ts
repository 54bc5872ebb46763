// seccheck check [--json] [--endian little|big] [--stack] [--engine E[,E...]] [--format F] [--thread T] [--arch A] [--env K=V]... FILE...
import type { Command } from 'commander';
import type { Endian } from 'unicorn-bpf-emulator';
import type { FileCheck } from '../check_files.js';
import { checkOnEngines, enginesCheckRecord, enginesCheckReport, formatEnginesCheck } from '../check_engines.js';
import { endianOption, printLines, type CommandContext } from './context.js';
import { ENGINE_LIST_HELP, engineListOption, resolveEngineList } from './engine_option.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface CheckOptions extends InputOptionValues {
  readonly json?: boolean;
  readonly endian: Endian;
  readonly stack?: boolean;
  readonly engine: string;
}

export function registerCheck(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('check')
    .description('would the kernel accept these filters? (seccomp(2)\'s checker: EINVAL, ENOMEM)')
    .argument('[file...]', 'filters: raw sock_filter arrays, asm text, bincode thread maps, seccompiler or OCI JSON (none with --format cellos)')
    .option('--json', 'one JSON object per line: {"file", "accepted", "errno", "insn", "reason"} (and "thread" for thread maps)')
    .addOption(endianOption())
    .option('--stack', 'load the files in order into one task, as seccomp(2) would (adds the path-length limit, ENOMEM)')
    .option('--arch <arch>', 'target arch for formats that compile a policy (seccompiler, oci, cellos; default: the host\'s)')
    .addOption(engineListOption('load the filters'));
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Exit status: 0 all accepted, 1 some rejected, 2 bad usage or an unreadable file.',
      '--engine kernel|both also makes each seccomp(2) call on the running kernel (in a probe',
      'child) and adds "outcome": {"accepted", "errno"} (null when no call was made) to each line,',
      'and a summary line on stderr; a program the kernel refuses exits 1. both also adds',
      '"kernel": "agree"|"disagree"|"skipped" (with "kernel_reason"), prints each disagreement',
      'on stderr and exits 1 on any.',
      '',
      ...ENGINE_LIST_HELP,
    ].join('\n'))
    .action((files: string[], opts: CheckOptions) => {
      const engines = resolveEngineList(opts.engine);
      const load = loadOptionsFrom(opts);
      const inputs = files.length > 0 ? files : [inputArgument(undefined, opts, 'file')];
      const ev = checkOnEngines(inputs, engines.others, engines.withEmulator, { ...load, endian: opts.endian, stack: opts.stack });
      const checked = ev.inputs;
      const lines: string[] = [];
      let code = 0;
      checked.forEach((input, i) => {
        if (input.warnings.length > 0) {
          // Keep stdout and stderr in order for a reader of both.
          printLines(ctx.io, lines.splice(0));
          printWarnings(ctx.io, input.source, input.warnings);
        }
        input.results.forEach((r, j) => {
          if (r.status === 'unreadable') {
            printLines(ctx.io, lines.splice(0));
            ctx.io.err(`seccheck: ${r.error.message}\n`);
            code = 2;
            return;
          }
          if ((r.status === 'rejected' || r.status === 'not_loaded') && code === 0) code = 1;
          lines.push(opts.json ? JSON.stringify(enginesCheckRecord(ev, i, j)) : formatEnginesCheck(ev, i, j));
        });
      });
      printLines(ctx.io, lines);
      if (ev.mode !== 'emulator') {
        const readable = (k: number): FileCheck[] => ev.runs[k].inputs.flatMap((x) => x.results.filter((r) => r.status !== 'unreadable'));
        const report = enginesCheckReport(ev, readable);
        for (const l of report.lines) ctx.io.err(`seccheck: ${l}\n`);
        if ((report.disagreements > 0 || report.kernelRejected > 0) && code === 0) code = 1;
      }
      ctx.exitCode = code;
    });
}
