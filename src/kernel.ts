// Which kernel to emulate: a version given by the user, else the running one.
import { release } from 'node:os';
import { LATEST_KNOWN_KERNEL, parseKernelRelease, type KernelVersion } from 'unicorn-bpf-emulator';
import { SeccheckError } from './errors.js';

/**
 * Parse `spec` ("6.1", "6.8.0-45-generic"); without one, the running kernel
 * (os.release()), falling back to LATEST_KNOWN_KERNEL if it cannot be read.
 */
export function resolveKernel(spec?: string): KernelVersion {
  if (spec !== undefined) {
    const v = parseKernelRelease(spec);
    if (!v) throw new SeccheckError(undefined, '--kernel', `${JSON.stringify(spec)} is not a kernel version (e.g. 6.1 or 6.8.0-45-generic)`);
    return v;
  }
  return parseKernelRelease(release()) ?? LATEST_KNOWN_KERNEL;
}
