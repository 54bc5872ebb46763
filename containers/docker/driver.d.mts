// Types of driver.mjs (the testcontainers calls of the container engines).
export const LABEL: string;

export type DockerStatus = { ok: true; serverVersion: string; arch: string } | { ok: false; reason: string };
export function dockerStatus(): Promise<DockerStatus>;

export function imageExists(tag: string): Promise<boolean>;

export interface BuildImageArg {
  readonly probePath: string;
  readonly tag: string;
  readonly key: string;
}
export function buildImage(arg: BuildImageArg): Promise<{ ms: number; removedOld: string[] }>;

export type DockerSeccomp = 'default' | 'unconfined';
export interface RunProbeArg {
  readonly tag: string;
  readonly key: string;
  readonly batch: string;
  readonly seccomp: DockerSeccomp;
  readonly deadlineMs: number;
}
export interface RunProbeResult {
  /** stdout and stderr of the probe, as the log consumer read them. */
  readonly output: string;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  /** Host clock: start() called until the log stream ended (the probe exited). */
  readonly wallMs: number;
  /** Docker's State.StartedAt to State.FinishedAt: the probe's run inside the container. */
  readonly insideMs: number;
  readonly id: string;
}
export function runProbe(arg: RunProbeArg): Promise<RunProbeResult>;

export function removeImages(arg?: { keep?: string; source?: string }): Promise<{ containers: number; images: string[] }>;
