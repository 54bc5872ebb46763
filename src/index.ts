// seccheck's library API: everything the CLI does, callable from code.
// The emulator itself is the package "unicorn-bpf-emulator".
export { SeccheckError } from './errors.js';
export {
  syscallName, syscallNumber, syscallResolver, syscallTableArches, syscallTableSource,
  type SyscallResolver, type SyscallTableSource,
} from './arch/syscalls.js';
export { errnoName, errnoNumber } from './arch/errno.js';
export { readInput } from './formats/read_input.js';
export { parseSockFilter, readSockFilter } from './formats/sock_filter.js';
export {
  caseFromOptions, parseArch, parseCase, parseCasesJsonl, parseNr, parseU64, readCases, resolveSyscall,
  type Case, type CaseOptions, type Where,
} from './formats/cases.js';
export {
  checkFiles, fileCheckRecord, formatFileCheck, formatRejection, readAcceptedFilter,
  type CheckFilesOptions, type FileCheck, type FileCheckRecord, type Rejection,
} from './check_files.js';
export {
  caseData, caseVerdictRecord, evaluateCases, formatCaseVerdict, hex32,
  type CaseVerdict, type CaseVerdictRecord, type EvaluateOptions,
} from './evaluate.js';
export { resolveKernel } from './kernel.js';
export { main, type CliIo } from './cli/main.js';
