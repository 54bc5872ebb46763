// SEMANTICS §6 ([V] rows) on container:x86_64 (seccomp=unconfined, the
// engine --engine container:x86_64 names): every row in ONE container (run
// rows, checker rows and the raw-request rows 27/33/34 in one batch), each
// answer compared with the emulator for the host's kernel (the container
// shares it) and with the row's stated result. No arch facts: the
// container runs on this x86_64 kernel. x32 rows are decided by the filter
// before the kernel's x32 support matters, so a host built without x32
// answers them the same.
// Fails, with the reason, when Docker does not answer and CI=true
// (npm run setup:docker starts one); without CI it is skipped with the reason.
import { describe } from 'vitest';
import { containerEngine, dockerAvailability, type ContainerEngine } from '../../containers/docker/engine.js';
import { X86_64_TARGET } from '../__test-helpers__/semantics_rows.js';
import { semanticsSuite } from '../__test-helpers__/semantics_suite.js';

const docker = dockerAvailability();
if (!docker.ok && process.env.CI === 'true') throw new Error(`container:x86_64 suites need Docker in CI: ${docker.reason}`);
if (!docker.ok) console.warn(`container:x86_64 SEMANTICS suite skipped: ${docker.reason}`);

(docker.ok ? describe : describe.skip)('container:x86_64 (seccomp=unconfined)', () => {
  let e: ContainerEngine | undefined;
  const get = (): ContainerEngine => (e ??= containerEngine('x86_64', { seccomp: 'unconfined', deadlineMs: 120_000 }));
  semanticsSuite({
    engine: 'container:x86_64',
    target: X86_64_TARGET,
    batch: (b) => get().batch(b),
    // The container runs on the host's kernel: the emulator emulates the running one.
    release: () => undefined,
    stats: () => {
      const s = get().lastRun!;
      return `one container: start to result ${s.wallMs.toFixed(0)} ms, probe inside ${s.insideMs.toFixed(0)} ms, ${s.probes} probes`;
    },
    notMade: {},
    differs: {},
    bypass: true,
  });
});
