// Synchronous calls into driver.mjs (testcontainers is asynchronous; the
// Engine interface is not). One worker thread, made on first use and
// unref'd so that it never keeps the process alive, runs the driver; the
// caller posts a request and blocks in Atomics.wait until the worker
// raises the shared flag, then takes the answer with receiveMessageOnPort.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type * as Driver from './driver.mjs';

type Ops = {
  readonly [K in 'dockerStatus' | 'imageExists' | 'buildImage' | 'runProbe' | 'removeImages']: (typeof Driver)[K];
};
export type DriverOp = keyof Ops;

const here = dirname(fileURLToPath(import.meta.url));
// From dist/containers/docker (tsc does not copy .mjs files) the sources are three levels up.
const driverDir = (): string => [here, join(here, '..', '..', '..', 'containers', 'docker')].find((d) => existsSync(join(d, 'worker.mjs'))) ?? here;

let bridge: { worker: Worker; port: MessagePort; flag: Int32Array } | undefined;

function open(): NonNullable<typeof bridge> {
  if (bridge) return bridge;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(join(driverDir(), 'worker.mjs'), { workerData: { port: port2, flag }, transferList: [port2] });
  worker.unref();
  port1.unref();
  bridge = { worker, port: port1, flag };
  return bridge;
}

/** Close the worker (the next call opens a new one). */
export function closeDriver(): void {
  if (!bridge) return;
  void bridge.worker.terminate();
  bridge.port.close();
  bridge = undefined;
}

/**
 * Call driver.mjs's `op` with `arg` and wait for its answer, at most
 * `waitMs` (the driver enforces its own deadlines inside that; this one
 * only guards against a stuck worker, which is then terminated).
 */
export function callDriver<K extends DriverOp>(op: K, arg: Parameters<Ops[K]>[0], waitMs: number): Awaited<ReturnType<Ops[K]>> {
  const b = open();
  Atomics.store(b.flag, 0, 0);
  b.port.postMessage({ op, arg });
  if (Atomics.wait(b.flag, 0, 0, waitMs) === 'timed-out') {
    closeDriver();
    throw new Error(`the Docker driver did not answer ${op} within ${waitMs} ms`);
  }
  const msg = receiveMessageOnPort(b.port);
  if (!msg) throw new Error(`the Docker driver raised its flag without an answer to ${op}`);
  const reply = msg.message as { ok: true; value: Awaited<ReturnType<Ops[K]>> } | { ok: false; error: string };
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
