// The worker thread behind the container engines' synchronous calls
// (sync.ts): each request on the port names a driver.mjs function; the
// answer goes back on the port, then the shared flag is raised so the
// caller, blocked in Atomics.wait, takes it with receiveMessageOnPort.
import { workerData } from 'node:worker_threads';
import * as driver from './driver.mjs';

const { port, flag } = workerData;

port.on('message', async ({ op, arg }) => {
  let reply;
  try {
    if (typeof driver[op] !== 'function') throw new Error(`unknown driver call ${op}`);
    reply = { ok: true, value: await driver[op](arg) };
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
