// seccheck eval FILTER --cases CASES.jsonl [--json] [--endian little|big] [--kernel VERSION]
// seccheck eval FILTER --arch A --syscall S [--args a,b,...] [--ip N] [--json] ...
import type { Command } from 'commander';
import type { Endian } from 'unicorn-bpf-emulator';
import { readAcceptedFilter } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { caseVerdictRecord, evaluateCases, formatCaseVerdict } from '../evaluate.js';
import { caseFromOptions, readCases, type Case } from '../formats/cases.js';
import { resolveKernel } from '../kernel.js';
import { endianOption, printLines, type CommandContext } from './context.js';

interface EvalOptions {
  readonly cases?: string;
  readonly arch?: string;
  readonly syscall?: string;
  readonly args?: string;
  readonly ip?: string;
  readonly json?: boolean;
  readonly endian: Endian;
  readonly kernel?: string;
}

export function registerEval(program: Command, ctx: CommandContext): void {
  program
    .command('eval')
    .description('run syscalls through a filter and print what it returns')
    .argument('<filter>', 'raw struct sock_filter array')
    .option('--cases <file>', 'JSON lines: {"arch": "x86_64", "nr": 39, "args": [...], "ip": "0x0"}')
    .option('--arch <arch>', 'one case: libseccomp arch name (x86_64, x86 or i386, x32, aarch64, ...)')
    .option('--syscall <name|nr>', 'one case: syscall name from the arch\'s table, or its number')
    .option('--args <list>', 'one case: up to six comma-separated arguments (decimal or 0x-hex)')
    .option('--ip <n>', 'one case: instruction pointer')
    .option('--json', 'one JSON object per case: {"action", "data", "raw"}')
    .addOption(endianOption())
    .option('--kernel <version>', 'kernel to emulate, e.g. 6.1 (default: the running kernel)')
    .addHelpText('after', [
      '',
      'Data is laid out in each case\'s arch byte order; x32 cases use arch "x32" with the',
      'x32 bit already in nr. Kernels from 6.14 (uretprobe) and 6.18 (uprobe) skip all filters',
      'for those x86_64 syscalls: such cases print ALLOW; use --kernel to emulate another kernel.',
    ].join('\n'))
    .action((filter: string, opts: EvalOptions) => {
      const kernel = resolveKernel(opts.kernel);
      const single = singleCase(opts);
      const program = readAcceptedFilter(filter, opts.endian);
      const cases = single ? [single] : readCases(opts.cases as string);
      const verdicts = evaluateCases([program], cases, { kernel });
      printLines(ctx.io, verdicts.map((v) => (opts.json ? JSON.stringify(caseVerdictRecord(v)) : formatCaseVerdict(v))));
      ctx.exitCode = 0;
    });
}

/** The one case --arch/--syscall/--args/--ip describe, or undefined with --cases; conflicts are errors. */
function singleCase(o: EvalOptions): Case | undefined {
  const single = o.arch !== undefined || o.syscall !== undefined || o.args !== undefined || o.ip !== undefined;
  if (o.cases !== undefined) {
    if (single) throw new SeccheckError(undefined, '--cases', 'give either --cases FILE or --arch/--syscall for one case, not both');
    return undefined;
  }
  if (o.arch === undefined || o.syscall === undefined) {
    throw new SeccheckError(undefined, undefined, 'eval needs --cases FILE, or --arch A --syscall S for one case');
  }
  return caseFromOptions({ arch: o.arch, syscall: o.syscall, args: o.args, ip: o.ip });
}
