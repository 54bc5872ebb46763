// seccheck check [--json] [--endian little|big] [--stack] FILE...
import type { Command } from 'commander';
import type { Endian } from 'unicorn-bpf-emulator';
import { checkFiles, fileCheckRecord, formatFileCheck } from '../check_files.js';
import { endianOption, printLines, type CommandContext } from './context.js';

interface CheckOptions {
  readonly json?: boolean;
  readonly endian: Endian;
  readonly stack?: boolean;
}

export function registerCheck(program: Command, ctx: CommandContext): void {
  program
    .command('check')
    .description('would the kernel accept these filters? (seccomp(2)\'s checker: EINVAL, ENOMEM)')
    .argument('<file...>', 'raw struct sock_filter arrays')
    .option('--json', 'one JSON object per line: {"file", "accepted", "errno", "insn", "reason"}')
    .addOption(endianOption())
    .option('--stack', 'load the files in order into one task, as seccomp(2) would (adds the path-length limit, ENOMEM)')
    .addHelpText('after', '\nExit status: 0 all accepted, 1 some rejected, 2 bad usage or an unreadable file.')
    .action((files: string[], opts: CheckOptions) => {
      const results = checkFiles(files, { endian: opts.endian, stack: opts.stack });
      const lines: string[] = [];
      let code = 0;
      for (const r of results) {
        if (r.status === 'unreadable') {
          // Keep stdout and stderr in order for a reader of both.
          printLines(ctx.io, lines.splice(0));
          ctx.io.err(`seccheck: ${r.error.message}\n`);
          code = 2;
          continue;
        }
        if (r.status !== 'accepted' && code === 0) code = 1;
        lines.push(opts.json ? JSON.stringify(fileCheckRecord(r)) : formatFileCheck(r));
      }
      printLines(ctx.io, lines);
      ctx.exitCode = code;
    });
}
