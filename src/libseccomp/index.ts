// The system's libseccomp through koffi: the bindings and its constants.
export * from './constants.js';
export { INSTALL_ADVICE, libseccomp, libseccompVersion, loadLibseccomp, type Libseccomp, type ScmpArgCmp, type ScmpFilterCtx } from './library.js';
