// The options every command that reads a filter shares: --format, --thread,
// --arch (target of the formats that compile a policy) and --env (cellos).
import { Option, type Command } from 'commander';
import { SeccheckError } from '../errors.js';
import { parseArch } from '../formats/cases.js';
import { FORMAT_NAMES, type FormatName, type LoadOptions } from '../formats/filter.js';
import type { CliIo } from './context.js';

export interface InputOptionValues {
  readonly format?: FormatName;
  readonly thread?: string;
  readonly arch?: string;
  readonly env?: readonly string[];
}

const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

/** Add --format, --thread, --env (not --arch: each command words its own). */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', 'input format (default: detected from the content)').choices(FORMAT_NAMES))
    .option('--thread <name>', 'for thread maps (bincode, seccompiler): only this thread (default: every thread, labelled)')
    .option('--env <K=V>', 'for --format cellos: the environment to read instead of the process\'s (repeatable)', collect, []);
}

/** --env K=V... as an environment; undefined when none is given (the process's is used). */
function parseEnv(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SeccheckError(undefined, '--env', `${JSON.stringify(pair)} is not K=V`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** LoadOptions (and --thread) from the shared options. */
export function loadOptionsFrom(o: InputOptionValues): LoadOptions & { readonly thread?: string } {
  const env = parseEnv(o.env);
  if (env !== undefined && o.format !== 'cellos') throw new SeccheckError(undefined, '--env', 'only --format cellos reads an environment');
  const arch = o.arch === undefined ? undefined : parseArch(o.arch, { file: undefined, place: '--arch' }, 'arch');
  return { format: o.format, arch, env, thread: o.thread };
}

/**
 * The input argument: a file, or null for --format cellos (which reads the
 * environment). A missing file for any other format is bad usage.
 */
export function inputArgument(file: string | undefined, o: InputOptionValues, name: string): string | null {
  if (file !== undefined) return file;
  if (o.format === 'cellos') return null;
  throw new SeccheckError(undefined, undefined, `missing required argument '${name}' (only --format cellos needs none)`);
}

/** Print a loader's warnings: "seccheck: warning: SOURCE: ...", one line each. */
export function printWarnings(io: CliIo, source: string, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`seccheck: warning: ${source}: ${w}\n`);
}
