// --engine for eval, check and verify: a comma-separated list of engines
// (src/engines/registry.ts), `both` meaning emulator,kernel.
import { Option } from 'commander';
import type { Engine } from '../engines/engine.js';
import { requireKernelEngine } from '../engines/kernel.js';
import { ENGINE_NAMES, engineByName, parseEngineList } from '../engines/registry.js';

export const engineListOption = (what: string): Option =>
  new Option('--engine <engines>', `where to ${what}: one of ${ENGINE_NAMES.join(', ')}, or several separated by commas (both = emulator,kernel)`)
    .default('emulator');

/** Help lines shared by the commands that take --engine. */
export const ENGINE_LIST_HELP: readonly string[] = [
  'A list of engines (--engine emulator,vm:aarch64) runs the cases on each; with two or',
  'more, each engine other than the emulator is compared with the emulator, as with both,',
  'and reported under its own name; one engine alone acts as kernel does. vm:ARCH boots a',
  'qemu-system VM once per command (npm run setup:vm); container:ARCH runs the probe in a',
  'container.',
];

/** The engines of an --engine value: whether it named the emulator, and the others resolved (a VM is only started when used). */
export function resolveEngineList(text: string): { readonly withEmulator: boolean; readonly others: readonly Engine[] } {
  const names = parseEngineList(text);
  // The kernel engine's reason (no probe build, not Linux) as a one-line error before anything runs.
  if (names.includes('kernel')) requireKernelEngine();
  return { withEmulator: names.includes('emulator'), others: names.filter((n) => n !== 'emulator').map(engineByName) };
}
