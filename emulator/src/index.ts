// unicorn-bpf-emulator: the public API.
export * from './bpf.js';
export * from './codec.js';
export * from './seccomp_data.js';
export * from './errno.js';
export * from './check.js';
export * from './ebpf_length.js';
export * from './install.js';
export * from './actions.js';
export * from './kernel_version.js';
export * from './stack.js';
export * from './interpreter.js';
export * from './compile.js';
export * from './audit_arch.js';
export * from './coverage.js';
export * from './known_arch.js';
export * from './disasm.js';
export * from './asm.js';
