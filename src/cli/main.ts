// The seccheck command line: parse, call the library, print. Exit status:
// 0 success, 1 a filter was rejected, 2 bad usage or input (one line on
// stderr), 3 an internal error (a bug in seccheck).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { SeccheckError } from '../errors.js';
import { registerAsm } from './asm.js';
import { registerCheck } from './check.js';
import { registerCompile } from './compile.js';
import type { CliIo, CommandContext } from './context.js';
import { registerDisasm } from './disasm.js';
import { registerEval } from './eval.js';
import { registerExplain } from './explain.js';
import { registerFuzz } from './fuzz.js';
import { registerKernelInfo } from './kernel_info.js';
import { registerVerify } from './verify.js';

export type { CliIo } from './context.js';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Run seccheck with `argv` (without "node seccheck"); resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT_OK };
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    return reportError(e, io);
  }
}

function buildProgram(ctx: CommandContext): Command {
  const program = new Command('seccheck')
    .description('Check, run and fuzz Linux seccomp filters on a kernel-exact classic-BPF emulator.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      // Commander's own errors ("error: unknown option '--x'\n(Did you mean ...?)") as one line.
      outputError: (s, write) => write(`seccheck: ${oneLine(s.replace(/^error: /, ''))}\n`),
    });
  registerCheck(program, ctx);
  registerEval(program, ctx);
  registerDisasm(program, ctx);
  registerAsm(program, ctx);
  registerCompile(program, ctx);
  registerExplain(program, ctx);
  registerFuzz(program, ctx);
  registerKernelInfo(program, ctx);
  registerVerify(program, ctx);
  return program;
}

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // Already printed by commander. Help and version are not errors; a bare
    // `seccheck` (help on stderr) is bad usage.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
    if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    return EXIT_USAGE;
  }
  if (e instanceof SeccheckError) {
    io.err(`seccheck: ${oneLine(e.message)}\n`);
    return EXIT_USAGE;
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  io.err(`seccheck: ${oneLine(message)} (internal error; please report)\n`);
  if (process.env.SECCHECK_DEBUG && e instanceof Error && e.stack) io.err(e.stack + '\n');
  return EXIT_INTERNAL;
}

const oneLine = (s: string): string => s.trim().replace(/\s*\n\s*/g, ' ');

/** The version in seccheck's package.json (found upwards from this module, built or not). */
function packageVersion(): string {
  for (let url = new URL('./', import.meta.url), i = 0; i < 5; i++, url = new URL('../', url)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'seccheck' && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
  }
  return 'unknown';
}
