// seccheck/properties: fast-check arbitraries that generate the inputs a
// seccomp filter cares about, and properties a filter must have. Every
// property returns a fast-check property to run with fc.assert / fc.check.
export { seccompData, abiByName, resolveSyscall, type SeccompDataOptions } from './seccompData.js';
export { program, type ProgramOptions } from './program.js';
export { stack } from './stack.js';
export { alwaysAction, type SyscallSelector } from './alwaysAction.js';
export { archGuard, type ArchGuardOptions } from './archGuard.js';
export { x32Guard } from './x32Guard.js';
export { i386Handled } from './i386Handled.js';
export { equivalent, type EquivalentOptions } from './equivalent.js';
export { fullCoverage, type FullCoverageOptions } from './fullCoverage.js';
export { filterDictionary, type Dictionary } from './_internals/dictionary.js';
export { parseActionSpec, type ActionSpec, type ActionMatcher } from './_internals/action_spec.js';
export { measureCoverage, compareCoverage, reachableEdges, type CoverageResult, type CoverageComparison, type ReachabilityMethod } from './_internals/coverage_report.js';
export type { FilterInput } from './_internals/engine.js';
export { installable, type InstallableOptions, type StackInput } from './installable.js';
export { kernelAgrees, type KernelAgreesOptions } from './kernelAgrees.js';
export { seccompilerPolicy, ociProfile, OCI_OPS, type Policy, type SeccompilerPolicy, type OciPolicy, type CellosBaselinePolicy, type SeccompilerPolicyOptions, type OciProfilePolicyOptions } from './policy.js';
export { matchesPolicy, evaluatePolicy, type MatchesPolicyOptions } from './matchesPolicy.js';
export { seccompilerJsonText, type SeccompilerDoc, type SeccompilerThread, type SeccompilerRule, type SeccompilerCondition, type SeccompilerAction, type SeccompilerOp, type SeccompilerSemantics } from './_internals/policy_seccompiler.js';
export { ociProfileText, type OciProfile, type OciProfileSyscall, type OciProfileArg, type OciActionName, type OciOpName } from './_internals/policy_oci.js';
export { PolicyUnspecifiedError, type PolicyVerdict } from './_internals/policy_model.js';
