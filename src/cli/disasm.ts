// seccheck disasm FILTER [--arch A] [--syntax bpf|c] [--endian little|big]
import { Option, type Command } from 'commander';
import { disassemble, type Endian } from 'unicorn-bpf-emulator';
import { syscallResolver } from '../arch/syscalls.js';
import { parseArch } from '../formats/cases.js';
import { readSockFilter } from '../formats/sock_filter.js';
import { endianOption, type CommandContext } from './context.js';

interface DisasmOptions {
  readonly arch?: string;
  readonly syntax: 'bpf' | 'c';
  readonly endian: Endian;
}

export function registerDisasm(program: Command, ctx: CommandContext): void {
  program
    .command('disasm')
    .description('print a filter as assembly (bpf) or as C-like pseudo-code (c)')
    .argument('<filter>', 'raw struct sock_filter array')
    .option('--arch <arch>', 'name syscall numbers and data fields as this arch does (x86_64, x86, x32, ...)')
    .addOption(new Option('--syntax <syntax>', 'output syntax').choices(['bpf', 'c']).default('bpf'))
    .addOption(endianOption())
    .addHelpText('after', '\nSyscall numbers are named from seccheck\'s tables (x86_64, x86, x32) where the program\'s arch checks, or --arch, tell the ABI.')
    .action((filter: string, opts: DisasmOptions) => {
      const arch = opts.arch === undefined ? undefined : parseArch(opts.arch, { file: undefined, place: '--arch' }, 'arch');
      const program = readSockFilter(filter, opts.endian);
      // --endian is the file's byte order; seccomp_data's layout follows the arch (known from the program's own checks, else --arch).
      const text = disassemble(program, { syntax: opts.syntax, arch, syscalls: syscallResolver });
      ctx.io.out(text.endsWith('\n') ? text : text + '\n');
      ctx.exitCode = 0;
    });
}
