// Engines: one interface (check, run -> Outcomes) over the emulator and the
// running kernel, and the rules for comparing them.
export type { Engine, EngineCase, EngineCheckStep, EngineName, EngineOutcome, EngineRunOptions } from './engine.js';
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
