// The engines by name, for --engine: the emulator, the running kernel, the
// qemu-system VMs (containers/vm) and the containers (containers/docker;
// registerEngine can replace any of them). Resolving is lazy where
// starting is costly: a VM engine looks for its kernel, qemu and probe on
// first use, so naming it costs nothing until a case runs.
import { containerEngine } from '../../containers/docker/engine.js';
import { vmEngine, type VmEngine } from '../../containers/vm/engine.js';
import type { VmArch } from '../../containers/vm/machine.js';
import { SeccheckError } from '../errors.js';
import { emulator } from './emulator.js';
import type { Engine, EngineName } from './engine.js';
import { kernel } from './kernel.js';

/** Every name --engine knows, in the order help and errors list them. */
export const ENGINE_NAMES = ['emulator', 'kernel', 'vm:aarch64', 'vm:x86_64', 'container:x86_64', 'container:aarch64'] as const satisfies readonly EngineName[];
export type KnownEngineName = (typeof ENGINE_NAMES)[number];

/** Shorthand kept from before lists: `both` is `emulator,kernel`. */
const SHORTHANDS: Readonly<Record<string, readonly KnownEngineName[]>> = { both: ['emulator', 'kernel'] };

const isKnown = (name: string): name is KnownEngineName => (ENGINE_NAMES as readonly string[]).includes(name);

/**
 * The engines of an --engine value: a comma-separated list of ENGINE_NAMES
 * (and `both`), each once, in the order given. Throws a one-line
 * SeccheckError naming the valid engines on anything else.
 */
export function parseEngineList(text: string): KnownEngineName[] {
  const out: KnownEngineName[] = [];
  const valid = `valid: ${ENGINE_NAMES.join(', ')}, both (= emulator,kernel); several separated by commas`;
  for (const raw of text.split(',')) {
    const word = raw.trim();
    if (word === '') throw new SeccheckError(undefined, '--engine', `empty engine name in "${text}"; ${valid}`);
    const names = SHORTHANDS[word] ?? (isKnown(word) ? [word] : undefined);
    if (names === undefined) throw new SeccheckError(undefined, '--engine', `unknown engine "${word}"; ${valid}`);
    for (const n of names) {
      if (out.includes(n)) throw new SeccheckError(undefined, '--engine', `${n} is named twice in "${text}"`);
      out.push(n);
    }
  }
  return out;
}

/** Makes an engine when it is first resolved; throws a one-line SeccheckError when it cannot run here. */
export type EngineFactory = () => Engine;

const registered = new Map<string, EngineFactory>();

/**
 * Make `name` resolve to `factory`'s engine (a stand-in in tests, an engine
 * with other options). A later registration replaces an earlier one.
 */
export function registerEngine(name: EngineName, factory: EngineFactory): void {
  registered.set(name, factory);
}

/** Node's name for the host's arch as the kernel calls it. */
const HOST_ARCH: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64' };

/**
 * The engine called `name`. The emulator and kernel engines are the
 * shared ones; a VM engine is a lazy stand-in that builds vmEngine(arch)
 * (and so looks for its kernel and probe) on its first check or run.
 */
export function engineByName(name: string): Engine {
  if (!isKnown(name) && !registered.has(name)) throw new SeccheckError(undefined, '--engine', `unknown engine "${name}"; valid: ${ENGINE_NAMES.join(', ')}`);
  const factory = registered.get(name);
  if (factory !== undefined) return factory();
  if (name === 'emulator') return emulator;
  if (name === 'kernel') return kernel;
  if (name.startsWith('vm:')) return lazyVmEngine(name.slice(3) as VmArch);
  const arch = name.slice('container:'.length);
  const host = HOST_ARCH[process.arch] ?? process.arch;
  if (arch !== host) {
    // Docker runs a foreign image under qemu-user, which has no seccomp: prctl(PR_SET_SECCOMP) fails with EINVAL, seccomp(2) with ENOSYS.
    throw new SeccheckError(undefined, '--engine', `${name} cannot run on this ${host} host: qemu-user emulation has no seccomp (prctl EINVAL, seccomp ENOSYS); use vm:${arch} or a native ${arch} runner with --engine kernel`);
  }
  // Unconfined: the filters under test alone decide, as on the host (runBoth() also gives Docker's own profile under them).
  return containerEngine(arch as 'x86_64' | 'aarch64');
}

/** The engines of an --engine list, resolved (see engineByName). */
export const enginesByName = (names: readonly string[]): Engine[] => names.map(engineByName);

/**
 * vmEngine(arch), built on first use: until a case runs, a missing kernel
 * (npm run setup:vm) or probe build costs nothing and says nothing.
 */
function lazyVmEngine(arch: VmArch): Engine {
  let vm: VmEngine | undefined;
  const get = (): VmEngine => (vm ??= vmEngine(arch));
  return {
    name: `vm:${arch}`,
    kernelArch: arch === 'aarch64' ? 'arm64' : 'x64',
    kernelRelease: () => get().machine.release,
    check: (stack, flags) => get().check(stack, flags),
    run: (stack, cases, opts) => get().run(stack, cases, opts),
    runMany: (jobs) => get().runMany(jobs),
    checkMany: (jobs) => get().checkMany(jobs),
  };
}
