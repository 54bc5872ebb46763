// seccheck disasm FILTER [--arch A] [--syntax bpf|c] [--endian little|big] [--format F] [--thread T] [--env K=V]...
import { Option, type Command } from 'commander';
import { disassemble, type Endian } from 'unicorn-bpf-emulator';
import { syscallResolver } from '../arch/syscalls.js';
import { loadFilter, selectPrograms } from '../formats/load.js';
import { installsNothing, nothingInstalledReason } from '../formats/no_filter.js';
import { endianOption, type CommandContext } from './context.js';
import { addInputOptions, inputArgument, loadOptionsFrom, printWarnings, type InputOptionValues } from './input_options.js';

interface DisasmOptions extends InputOptionValues {
  readonly syntax: 'bpf' | 'c';
  readonly endian: Endian;
}

export function registerDisasm(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('disasm')
    .description('print a filter as assembly (bpf) or as C-like pseudo-code (c)')
    .argument('[filter]', 'a filter in any input format (none with --format cellos)')
    .option('--arch <arch>', 'name syscall numbers and data fields as this arch does (x86_64, x86, x32, ...); also the target of formats that compile a policy')
    .addOption(new Option('--syntax <syntax>', 'output syntax').choices(['bpf', 'c']).default('bpf'))
    .addOption(endianOption());
  addInputOptions(cmd)
    .addHelpText('after', [
      '',
      'Syscall numbers are named from seccheck\'s tables where the program\'s arch checks, or --arch, tell the ABI.',
      'A thread map without --thread prints every thread, each after a "// thread NAME" line.',
    ].join('\n'))
    .action((filter: string | undefined, opts: DisasmOptions) => {
      const load = loadOptionsFrom(opts);
      const loaded = loadFilter(inputArgument(filter, opts, 'filter'), { ...load, endian: opts.endian });
      const programs = selectPrograms(loaded, load.thread);
      printWarnings(ctx.io, loaded.source, loaded.warnings);
      const headed = load.thread === undefined && programs.some((p) => p.thread !== null);
      const parts = programs.map((p) => {
        const head = headed ? `// thread ${p.thread}\n` : '';
        if (installsNothing(loaded.format, p)) return `${head}// ${nothingInstalledReason(loaded.format)}\n`;
        // --endian is the file's byte order; seccomp_data's layout follows the arch (known from the program's own checks, else --arch).
        const text = disassemble(p.program, { syntax: opts.syntax, arch: load.arch ?? p.arch ?? undefined, syscalls: syscallResolver });
        return head + (text.endsWith('\n') ? text : text + '\n');
      });
      ctx.io.out(parts.join('\n'));
      ctx.exitCode = 0;
    });
}
