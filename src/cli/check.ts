// seccheck check [--json] [--endian little|big] [--stack] [--format F] [--thread T] [--arch A] [--env K=V]... FILE...
import type { Command } from 'commander';
import type { Endian } from 'unicorn-bpf-emulator';
import { checkInputs, fileCheckRecord, formatFileCheck } from '../check_files.js';
import { endianOption, printLines, type CommandContext } from './context.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface CheckOptions extends InputOptionValues {
  readonly json?: boolean;
  readonly endian: Endian;
  readonly stack?: boolean;
}

export function registerCheck(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('check')
    .description('would the kernel accept these filters? (seccomp(2)\'s checker: EINVAL, ENOMEM)')
    .argument('[file...]', 'filters: raw sock_filter arrays, asm text, bincode thread maps, seccompiler or OCI JSON (none with --format cellos)')
    .option('--json', 'one JSON object per line: {"file", "accepted", "errno", "insn", "reason"} (and "thread" for thread maps)')
    .addOption(endianOption())
    .option('--stack', 'load the files in order into one task, as seccomp(2) would (adds the path-length limit, ENOMEM)')
    .option('--arch <arch>', 'target arch for formats that compile a policy (seccompiler, oci, cellos; default: the host\'s)');
  addInputOptions(cmd)
    .addHelpText('after', '\nExit status: 0 all accepted, 1 some rejected, 2 bad usage or an unreadable file.')
    .action((files: string[], opts: CheckOptions) => {
      const load = loadOptionsFrom(opts);
      const inputs = files.length > 0 ? files : [inputArgument(undefined, opts, 'file')];
      const checked = checkInputs(inputs, { ...load, endian: opts.endian, stack: opts.stack });
      const lines: string[] = [];
      let code = 0;
      for (const input of checked) {
        if (input.warnings.length > 0) {
          // Keep stdout and stderr in order for a reader of both.
          printLines(ctx.io, lines.splice(0));
          printWarnings(ctx.io, input.source, input.warnings);
        }
        for (const r of input.results) {
          if (r.status === 'unreadable') {
            printLines(ctx.io, lines.splice(0));
            ctx.io.err(`seccheck: ${r.error.message}\n`);
            code = 2;
            continue;
          }
          if ((r.status === 'rejected' || r.status === 'not_loaded') && code === 0) code = 1;
          lines.push(opts.json ? JSON.stringify(fileCheckRecord(r)) : formatFileCheck(r));
        }
      }
      printLines(ctx.io, lines);
      ctx.exitCode = code;
    });
}
