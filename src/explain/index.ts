// seccheck explain as a library: for every syscall of an ABI, the action a
// filter gives it or the argument conditions that decide it, with witnesses
// the emulator confirms; foreign-arch, x32 and compat behaviour; findings.
export {
  actionClass, chooseArch, explainProgram, explainSyscall, namedAuditArches, syscallTable,
  DEFAULT_TOTAL_BUDGET, MIN_QUERY_BUDGET,
  type AbiExplanation, type Entry, type ExplainOptions, type Explanation, type Finding, type FindingKind,
  type SyscallVerdict, type Verdict, type Witness,
} from './explain.js';
export {
  explanationRecord, formatExplanation, formatWitness, verdictRecord, witnessRecord,
  type AbiRecord, type EntryRecord, type ExplanationRecord, type SyscallRecord, type VerdictRecord, type WitnessRecord,
} from './format.js';
export { CLONE_NAMESPACE_FLAGS, SIBLING_FAMILIES, cloneFlagsArg, type SyscallFamily } from './families.js';
export { DEFAULT_STEP_BUDGET, explorePaths, pathHolds, pathReturn, type Exploration, type SymPath, type SymQuery } from './symbolic.js';
export { solve, type Atom } from './solver.js';
