// seccheck asm FILE -o OUT [--arch A] [--endian little|big]
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AsmError, assemble, checkFilter, EmulatorInputError, encodeProgram, type Endian } from 'unicorn-bpf-emulator';
import { syscallResolver } from '../arch/syscalls.js';
import { formatRejection } from '../check_files.js';
import { SeccheckError } from '../errors.js';
import { parseArch } from '../formats/cases.js';
import { readInput } from '../formats/read_input.js';
import { endianOption, type CommandContext } from './context.js';

interface AsmOptions {
  readonly output: string;
  readonly arch?: string;
  readonly endian: Endian;
}

export function registerAsm(program: Command, ctx: CommandContext): void {
  program
    .command('asm')
    .description('assemble a filter from text into a raw struct sock_filter array')
    .argument('<file>', 'assembly source (the syntax `seccheck disasm` prints)')
    .requiredOption('-o, --output <out>', 'where to write the sock_filter bytes')
    .option('--arch <arch>', 'resolve syscall names and data fields as this arch does (x86_64, x86, x32, ...)')
    .addOption(endianOption())
    .action((file: string, opts: AsmOptions) => {
      const arch = opts.arch === undefined ? undefined : parseArch(opts.arch, { file: undefined, place: '--arch' }, 'arch');
      const text = readInput(file).toString('utf8');
      let program;
      try {
        // --endian is the output's byte order; seccomp_data's layout follows the arch.
        program = assemble(text, { arch, syscalls: syscallResolver });
      } catch (e) {
        if (e instanceof AsmError) throw new SeccheckError(file, e.line, e.message.replace(/^line \d+: /, ''));
        if (e instanceof EmulatorInputError) throw new SeccheckError(file, undefined, e.message);
        throw e;
      }
      try {
        writeFileSync(opts.output, encodeProgram(program, opts.endian));
      } catch (e) {
        throw new SeccheckError(opts.output, undefined, `cannot write: ${e instanceof Error ? e.message : String(e)}`);
      }
      ctx.io.out(`${opts.output}: ${program.length} instructions (${opts.endian}-endian)\n`);
      // Assembling is not loading: say so when the kernel would refuse the result.
      const r = checkFilter(program);
      if (!r.accepted) ctx.io.err(`seccheck: warning: ${opts.output}: the kernel would reject it: ${formatRejection(r)}\n`);
      ctx.exitCode = 0;
    });
}
