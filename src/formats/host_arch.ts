// The ABI of the machine seccheck runs on: the default target for formats
// that compile a policy (seccompiler, oci, cellos) when --arch is not given.
import { archByName, type ArchInfo } from 'unicorn-bpf-emulator';

/** Node's process.arch -> libseccomp's arch name (Linux ABIs only). */
const NODE_ARCHES: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  ia32: 'x86',
  arm64: 'aarch64',
  arm: 'arm',
  loong64: 'loongarch64',
  riscv64: 'riscv64',
  s390x: 's390x',
  s390: 's390',
  ppc64: 'ppc64le', // Node only ships little-endian ppc64
  mips: 'mips',
  mipsel: 'mipsel',
};

/** The host's ABI, or undefined when Node runs somewhere seccheck has no name for. */
export function hostArch(nodeArch: string = process.arch): ArchInfo | undefined {
  const name = NODE_ARCHES[nodeArch];
  return name === undefined ? undefined : archByName(name);
}
