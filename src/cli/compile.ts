// seccheck compile [INPUT] [--format F] [--arch A] [--thread T] [--env K=V]... [--to raw|bincode] [--endian E] -o OUT
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { checkFilter, type Endian } from 'unicorn-bpf-emulator';
import { formatRejection } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { compileFilterBytes, type CompileTarget } from '../formats/compile.js';
import { loadFilter } from '../formats/load.js';
import { installsNothing } from '../formats/no_filter.js';
import { endianOption, type CommandContext } from './context.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface CompileOptions extends InputOptionValues {
  readonly output: string;
  readonly to?: CompileTarget;
  readonly endian: Endian;
}

export function registerCompile(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('compile')
    .description('write what seccheck loads from INPUT: one program as raw sock_filter bytes, or every thread as a bincode thread map')
    .argument('[input]', 'a filter or policy in any input format (none with --format cellos)')
    .requiredOption('-o, --output <out>', 'where to write')
    .addOption(new Option('--to <kind>', 'raw: one struct sock_filter array; bincode: a boxlite/Firecracker thread map (default: bincode for a thread map without --thread, else raw)').choices(['raw', 'bincode']))
    .option('--arch <arch>', 'target arch for formats that compile a policy (seccompiler, oci, cellos; default: the host\'s)')
    .addOption(endianOption());
  addInputOptions(cmd)
    .addHelpText('after', '\n--endian is the byte order of raw input and raw output; a thread map is always little-endian.')
    .action((input: string | undefined, opts: CompileOptions) => {
      const load = loadOptionsFrom(opts);
      const loaded = loadFilter(inputArgument(input, opts, 'input'), { ...load, endian: opts.endian });
      printWarnings(ctx.io, loaded.source, loaded.warnings);
      const out = compileFilterBytes(loaded, { thread: load.thread, to: opts.to, endian: opts.endian, output: opts.output });
      try {
        writeFileSync(opts.output, out.bytes);
      } catch (e) {
        throw new SeccheckError(opts.output, undefined, `cannot write: ${e instanceof Error ? e.message : String(e)}`);
      }
      ctx.io.out(`${opts.output}: ${out.summary}\n`);
      // Compiling is not loading: say so when the kernel would refuse a program.
      for (const p of out.programs) {
        if (installsNothing(loaded.format, p)) continue;
        const r = checkFilter(p.program);
        const which = p.thread === null ? '' : ` thread ${JSON.stringify(p.thread)}:`;
        if (!r.accepted) ctx.io.err(`seccheck: warning: ${opts.output}:${which} the kernel would reject it: ${formatRejection(r)}\n`);
      }
      ctx.exitCode = 0;
    });
}
