// What every command gets: where to write, and where to leave its exit code.
import { Option } from 'commander';

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

/** Print lines (without newlines) in one write. */
export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length) io.out(lines.join('\n') + '\n');
}
