// Engines: one interface (check, run -> Outcomes) over the emulator, the
// running kernel and the VMs and containers (by name: registry.ts), and the
// rules for comparing them.
export type { Engine, EngineCase, EngineCheckJob, EngineCheckStep, EngineJob, EngineName, EngineOutcome, EngineRunOptions } from './engine.js';
export { ENGINE_NAMES, engineByName, enginesByName, parseEngineList, registerEngine, type EngineFactory, type KnownEngineName } from './registry.js';
export { checkJobs, runJobs } from './batch.js';
export { emulator, emulatorEngine, type EmulatorCheckStep, type EmulatorEngine, type EmulatorEngineOptions } from './emulator.js';
export {
  kernel, kernelAvailability, kernelEngine, KernelUnavailableError, requireKernelEngine,
  type KernelCheckStep, type KernelEngine, type KernelEngineOptions,
} from './kernel.js';
export { kernelAbi, kernelSkipReason, stackReadsInstructionPointer, type KernelAbi } from './kernel_skip.js';
export {
  compareCheckSteps, compareOutcomes, comparableOutcome, countComparisons, countOf, formatComparisonCounts, outcomesEqual,
  type Comparison, type ComparisonCounts,
} from './compare.js';
export { comparisonRecord, formatEngineOutcome, outcomeRecord } from './format.js';
export { engineCaseOf } from './engine_case.js';
