// What every input format loads into: one or more BPF programs (by thread
// for thread maps), each with the ABI it was written for when the format
// says so, plus the pitfalls the loader noticed. Data flows one way:
// formats -> LoadedFilter -> engines -> reports.
import type { ArchInfo, Endian, Insn } from 'unicorn-bpf-emulator';

export type FormatName = 'raw' | 'bincode' | 'seccompiler' | 'oci' | 'cellos' | 'asm';
export const FORMAT_NAMES: readonly FormatName[] = ['raw', 'bincode', 'seccompiler', 'oci', 'cellos', 'asm'];

export interface LoadedProgram {
  /** Thread name for thread maps (bincode, seccompiler: "vmm", "vcpu", "api"); null for a single program. */
  readonly thread: string | null;
  /** The ABI the program targets, when the format or the caller says (compiled policies do). */
  readonly arch: ArchInfo | null;
  readonly program: Insn[];
}

export interface LoadedFilter {
  /** The input file (or a description such as "cellos environment"). */
  readonly source: string;
  readonly format: FormatName;
  /** In the input's order (bincode/seccompiler: sorted by thread name for determinism). */
  readonly programs: LoadedProgram[];
  /** Pitfalls worth telling the user about, one line each (a dropped rule, no x32 guard, ...). */
  readonly warnings: string[];
  /** Format-specific facts for reports, e.g. { libseccomp: "2.5.4" }. */
  readonly info: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /** Force a format instead of detecting it. */
  readonly format?: FormatName;
  /** Target ABI for formats that compile (seccompiler, oci, cellos); default: the host's. */
  readonly arch?: ArchInfo;
  /** Byte order of raw sock_filter input (default little). */
  readonly endian?: Endian;
  /** Environment for the cellos format (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
