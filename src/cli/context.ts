// What every command gets: where to write, and where to leave its exit code.
import { Option } from 'commander';
import { ENGINE_CHOICES } from '../evaluate.js';

/** Output sinks; each call gets complete text (lines with their newlines). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  readonly io: CliIo;
  /** 0: all good; 1: a filter was rejected; 2: bad usage or input (set by main on errors). */
  exitCode: number;
}

/** --endian, shared by the commands that read raw sock_filter files. */
export const endianOption = (): Option =>
  new Option('--endian <order>', 'byte order of the sock_filter file').choices(['little', 'big']).default('little');

/** --engine, shared by eval and check: `what` completes "where to ...". */
export const engineOption = (what: string): Option =>
  new Option('--engine <engine>', `where to ${what}: the emulator, the running kernel (through the native probe), or both, compared`)
    .choices(ENGINE_CHOICES)
    .default('emulator');

/** Print lines (without newlines) in one write. */
export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length) io.out(lines.join('\n') + '\n');
}
