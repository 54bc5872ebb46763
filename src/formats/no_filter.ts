// When an empty program means "no filter at all" rather than a program the
// kernel would refuse (EINVAL for length 0).
import type { FormatName, LoadedProgram } from './filter.js';

/**
 * An empty program that stands for "no filter": the thread maps (boxlite
 * and Firecracker skip empty programs) and a disabled cellos configuration.
 * In the raw and text formats an empty program is one the kernel rejects.
 */
export function installsNothing(format: FormatName, p: LoadedProgram): boolean {
  return p.program.length === 0 && (format === 'bincode' || format === 'seccompiler' || format === 'cellos');
}

/** Why an empty program installs nothing, for reports. */
export function nothingInstalledReason(format: FormatName): string {
  return format === 'cellos' ? 'seccomp disabled: no filter is installed' : 'empty program: no filter is installed';
}
