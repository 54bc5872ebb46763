// The vm:ARCH engines (issue 6): qemu-system VMs booting Debian's kernels with
// the static probe as /init. Needs `npm run setup:vm` (qemu, cross compiler,
// kernels) and, for aarch64, `node native/build.mjs --target aarch64`.
export { vmEngine, type VmBootStats, type VmEngine, type VmEngineOptions, type VmJob } from './engine.js';
export { vmCacheDir, vmMachine, type VmArch, type VmMachine } from './machine.js';
export { bootBatch, qemuCommand, writeInitramfs, type BootOptions, type BootResult } from './boot.js';
export { newcArchive, type NewcEntry } from './newc.js';
