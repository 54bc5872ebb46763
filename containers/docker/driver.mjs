// The testcontainers side of the container:ARCH engines: build the probe
// image, run one batch in one container, remove what we made. Plain ESM
// JavaScript (types in driver.d.mts) because it runs in a worker thread
// (worker.mjs), which loads files as Node does, without vitest's or tsc's
// help; engine.ts drives it synchronously through that worker.
//
// Everything made here carries the label org.seccheck.probe, and cleanup
// only ever touches what has it: containers and images of other projects
// are never listed for removal.
import { mkdtempSync, copyFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ryuk (the reaper) needs an image pull, and without a host override
// testcontainers pulls alpine to find the Docker host: neither works
// without a registry. We remove our containers and images ourselves.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

/** Label on every image and container this driver makes; its value is the probe key. */
export const LABEL = 'org.seccheck.probe';
/** Label on images: the probe file they were built from (a rebuild of it replaces them). */
const SOURCE = 'org.seccheck.probe.source';

/** @type {Promise<typeof import('testcontainers')> | undefined} */
let tc;
// Imported after the environment above is set (a static import would run first).
const testcontainers = () => (tc ??= import('testcontainers'));

const message = (e) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Whether a Docker engine answers, and why not. */
export async function dockerStatus() {
  try {
    const { getContainerRuntimeClient } = await testcontainers();
    const client = await getContainerRuntimeClient();
    return { ok: true, serverVersion: client.info.containerRuntime.serverVersion, arch: client.info.containerRuntime.architecture };
  } catch (e) {
    return { ok: false, reason: message(e) };
  }
}

/** Whether the image `tag` exists (asked of Docker each time: testcontainers' image.exists caches a yes, even after removeImages). */
export async function imageExists(tag) {
  const { getContainerRuntimeClient } = await testcontainers();
  const client = await getContainerRuntimeClient();
  try {
    await client.container.dockerode.getImage(tag).inspect();
    return true;
  } catch (e) {
    if (e?.statusCode === 404) return false;
    throw e;
  }
}

/**
 * Build `tag` FROM scratch with only the static probe in it. The build
 * context is a fresh temporary directory holding the binary and the
 * Dockerfile, never the repository (node_modules stays out). Older probe
 * images (same label, another key) are removed afterwards.
 */
export async function buildImage({ probePath, tag, key }) {
  const { GenericContainer } = await testcontainers();
  const t0 = performance.now();
  const ctx = mkdtempSync(join(tmpdir(), 'seccheck-image-'));
  try {
    copyFileSync(probePath, join(ctx, 'seccheck-probe'));
    chmodSync(join(ctx, 'seccheck-probe'), 0o755);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      ['FROM scratch', `LABEL ${LABEL}=${key} ${SOURCE}=${JSON.stringify(probePath)}`, 'COPY seccheck-probe /seccheck-probe', 'ENTRYPOINT ["/seccheck-probe"]', ''].join('\n'),
    );
    // deleteOnExit false: the image is a cache kept across runs (and there is no reaper).
    await GenericContainer.fromDockerfile(ctx).build(tag, { deleteOnExit: false });
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  const ms = performance.now() - t0;
  // Best effort: an old image still in use by a running container stays.
  const removed = await removeImages({ keep: key, source: probePath }).catch(() => ({ images: [] }));
  return { ms, removedOld: removed.images };
}

/**
 * Run the probe once in a fresh container of `tag`: the batch goes in as
 * /batch (copied in before start), the answers come back through a log
 * consumer, the container is removed. `seccomp`: 'default' keeps Docker's
 * own profile (the filters under test stack on it), 'unconfined' runs
 * without one. At the deadline the container is killed and removed and
 * the call fails.
 */
export async function runProbe({ tag, key, batch, seccomp, deadlineMs }) {
  const { GenericContainer } = await testcontainers();
  let output = '';
  let ended;
  const logEnd = new Promise((resolve) => (ended = resolve));
  const t0 = performance.now();
  let container = new GenericContainer(tag)
    .withCommand(['/batch'])
    .withCopyContentToContainer([{ content: batch, target: '/batch', mode: 0o644 }])
    .withLabels({ [LABEL]: key })
    // json-file: logs must be readable back whatever the daemon's default driver.
    .withDefaultLogDriver()
    .withNetworkMode('none')
    .withAutoCleanup(false)
    .withLogConsumer((stream) => {
      stream.on('data', (d) => (output += d));
      stream.on('end', () => ended());
      stream.on('error', () => ended());
    });
  if (seccomp === 'unconfined') container = container.withSecurityOpt('seccomp=unconfined');
  // The default wait strategy (listening ports; there are none) returns at
  // once: the end of the log stream (the probe exited) is what we wait for.
  const started = await container.start();
  const id = started.getId();
  let timer;
  try {
    const finished = await Promise.race([
      logEnd.then(() => true),
      new Promise((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
    ]);
    const wallMs = performance.now() - t0;
    if (!finished) throw new Error(`no result within ${deadlineMs} ms; container ${id.slice(0, 12)} killed and removed`);
    const { getContainerRuntimeClient } = await testcontainers();
    const client = await getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(id));
    const insideMs = dockerTimeMs(info.State.FinishedAt) - dockerTimeMs(info.State.StartedAt);
    return { output, exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, wallMs, insideMs, id };
  } finally {
    clearTimeout(timer);
    // stop (timeout 0: SIGKILL if still running) and remove: the container is ours, by id.
    await started.stop({ timeout: 0, remove: true });
  }
}

/** Docker's RFC 3339 time with nanoseconds, in milliseconds (Date.parse would drop the sub-millisecond part). */
function dockerTimeMs(t) {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return Number.NaN;
  return Date.parse(m[1] + m[3]) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

/**
 * Remove our containers (label org.seccheck.probe, any state) and our
 * images, except those of probe key `keep`; with `source`, only images
 * built from that probe file. Nothing without the label is touched.
 */
export async function removeImages({ keep, source } = {}) {
  const { getContainerRuntimeClient } = await testcontainers();
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const filters = { label: [LABEL] };
  const ours = (labels) => labels?.[LABEL] !== undefined && labels[LABEL] !== keep;
  let containers = 0;
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (!ours(c.Labels) || (source !== undefined && c.State === 'running')) continue;
    await docker.getContainer(c.Id).remove({ force: true, v: true });
    containers++;
  }
  const images = [];
  for (const img of await docker.listImages({ filters })) {
    if (!ours(img.Labels) || (source !== undefined && img.Labels[SOURCE] !== source)) continue;
    // By id with force: an image with several of our tags goes at once.
    await docker.getImage(img.Id).remove({ force: true });
    images.push(...(img.RepoTags ?? [img.Id]));
  }
  return { containers, images };
}
