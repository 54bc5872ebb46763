// seccheck's library API: everything the CLI does, callable from code.
// The emulator itself is the package "unicorn-bpf-emulator".
export { SeccheckError } from './errors.js';
export {
  syscallName, syscallNumber, syscallResolver, syscallTableArches, syscallTableSource,
  type SyscallResolver, type SyscallTableSource,
} from './arch/syscalls.js';
export { errnoFamily, errnoName, errnoNumber, errnoTableSource } from './arch/errno.js';
export { ARCH_ABIS, archAbi, compatArch, nativeOf, sharesAuditArchWith, type ArchAbi } from './arch/arch_abi.js';
export { readInput } from './formats/read_input.js';
export { parseSockFilter, readSockFilter } from './formats/sock_filter.js';
export {
  caseFromOptions, parseArch, parseCase, parseCasesJsonl, parseNr, parseU64, readCases, resolveSyscall,
  type Case, type CaseOptions, type Where,
} from './formats/cases.js';
export { FORMAT_NAMES, type FormatName, type LoadedFilter, type LoadedProgram, type LoadOptions } from './formats/filter.js';
export { detectFormat, installsNothing, loadFilter, loadFilterBytes, nothingInstalledReason, selectPrograms } from './formats/load.js';
export { hostArch } from './formats/host_arch.js';
export { loadRaw } from './formats/raw.js';
export { loadAsm } from './formats/asm.js';
export {
  BINCODE_ENTRY_CLAIM, BOXLITE_BPF_MAX_LEN, BOXLITE_BYTES_LIMIT, decodeThreadMap, encodeThreadMap, loadBincode, looksLikeBincode,
  type DecodedThreadMap, type ThreadMapEntry,
} from './formats/bincode.js';
export {
  CELLOS_BASELINE_ARCHES, CELLOS_BASELINE_SYSCALLS, CELLOS_MAX_FILTER_BYTES, CELLOS_PATH_VAR, CELLOS_PROFILE_VAR,
  cellosBaselineProgram, cellosBaselineSyscallNumber, cellosChoice, cellosKernelFindings, cellosValidateBytes, loadCellos,
  type CellosChoice, type CellosKernelFindings,
} from './formats/cellos.js';
export { compileFilterBytes, type CompiledOutput, type CompileOptions, type CompileTarget } from './formats/compile.js';
export {
  checkEngineReport, checkFiles, checkInputs, fileCheckRecord, formatFileCheck, formatRejection, loadAcceptedPrograms, readAcceptedFilter,
  type CheckedInput, type CheckEngineReport, type CheckFilesOptions, type FileCheck, type FileCheckRecord, type KernelCheckOutcome, type KernelCheckSide, type Rejection,
} from './check_files.js';
export {
  caseData, caseVerdictRecord, ENGINE_CHOICES, engineReport, evaluateCases, evaluatePrograms, formatCaseData, formatCaseVerdict, formatDisagreement, hex32,
  type CaseVerdict, type CaseVerdictRecord, type EngineChoice, type EngineReport, type EvaluateOptions,
} from './evaluate.js';
export * from './engines/index.js';
export { resolveKernel } from './kernel.js';
export { main, type CliIo } from './cli/main.js';
export * from './explain/index.js';
export { compileSeccompiler, loadSeccompiler, looksLikeSeccompiler } from './formats/seccompiler.js';
export { libseccompVersion, loadOci, looksLikeOci, type OciOptions, type OciRuntime } from './formats/oci.js';
export * from './spec/index.js';
export * from './fuzz/index.js';
