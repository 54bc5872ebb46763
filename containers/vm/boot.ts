// One VM boot: the probe as /init with a batch of requests in /batch, the
// answers read back from the serial console between the probe's
// SECCHECK-VM-BEGIN / SECCHECK-VM-END lines, then the guest powers off.
// Every boot has a deadline: at it, the qemu process this call started is
// killed (SIGKILL, by its PID) and the call fails with one line.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAnswers, type ProbeAnswer } from '../../native/probe_protocol.js';
import { SeccheckError } from '../../src/errors.js';
import { vmCacheDir, type VmMachine } from './machine.js';
import { newcArchive, S_IFCHR, S_IFDIR, S_IFREG } from './newc.js';

export interface BootOptions {
  /** Kill qemu and fail after this long (default 60 s: TCG on a busy host is slow). */
  readonly deadlineMs?: number;
}

/** What one boot gave back. */
export interface BootResult {
  /** One answer per request line, in order. */
  readonly answers: ProbeAnswer[];
  /** The probe's exit status (0; 1 if some line was malformed). */
  readonly status: number;
  /** Guest clock: kernel boot until the probe started (CLOCK_BOOTTIME). */
  readonly guestBootMs: number;
  /** Guest clock: the whole batch, inside the VM. */
  readonly batchMs: number;
  /** Host clock: qemu start to exit. */
  readonly wallMs: number;
  /** The serial console transcript (for error messages). */
  readonly console: string;
}

/**
 * The initramfs without the batch: /init (the probe) and /dev/console (so
 * the kernel gives init a console). Cached under the probe's hash; the
 * batch goes in a second archive appended per boot (the kernel unpacks
 * concatenated archives in order).
 */
function baseInitramfs(m: VmMachine): Buffer {
  const probe = readFileSync(m.probe);
  const key = createHash('sha256').update(probe).digest('hex').slice(0, 16);
  const file = join(vmCacheDir(), `initramfs-${m.arch}-${key}.cpio`);
  if (existsSync(file)) {
    try {
      return readFileSync(file);
    } catch {
      // pruned by a concurrent run with another probe build: build it again
    }
  }
  const cpio = newcArchive([
    { name: 'dev', mode: S_IFDIR | 0o755 },
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: 'proc', mode: S_IFDIR | 0o555 },
    { name: 'init', mode: S_IFREG | 0o755, data: probe },
  ]);
  mkdirSync(vmCacheDir(), { recursive: true });
  // A new probe build replaces the old archive.
  for (const old of readdirSync(vmCacheDir())) if (old.startsWith(`initramfs-${m.arch}-`) && old.endsWith('.cpio')) rmSync(join(vmCacheDir(), old), { force: true });
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, cpio);
  renameSync(tmp, file);
  return cpio;
}

/** The qemu command line for one boot with `initrd`. */
export function qemuCommand(m: VmMachine, initrd: string): { command: string; args: string[] } {
  return { command: m.qemu, args: [...m.qemuArgs, '-kernel', m.kernel, '-initrd', initrd, '-append', m.append] };
}

/** Write the initramfs for `requests` into a fresh temporary directory; the caller removes it. */
export function writeInitramfs(m: VmMachine, requests: readonly string[]): { dir: string; initrd: string } {
  const batch = newcArchive([{ name: 'batch', mode: S_IFREG | 0o644, data: Buffer.from(requests.join('\n') + '\n') }]);
  const dir = mkdtempSync(join(tmpdir(), `seccheck-vm-${m.arch}-`));
  const initrd = join(dir, 'initrd.cpio');
  writeFileSync(initrd, Buffer.concat([baseInitramfs(m), batch]));
  return { dir, initrd };
}

const BEGIN = /^SECCHECK-VM-BEGIN uptime_ms=(\d+)/m;
const END = /^SECCHECK-VM-END status=(\d+) batch_ms=(\d+)(?: error=(\S+))?/m;

/** Boot `m` once with `requests` (the probe's line protocol) and return its answers. */
export function bootBatch(m: VmMachine, requests: readonly string[], opts: BootOptions = {}): BootResult {
  const deadlineMs = opts.deadlineMs ?? 60_000;
  const { dir, initrd } = writeInitramfs(m, requests);
  const where = `vm:${m.arch}`;
  try {
    const { command, args } = qemuCommand(m, initrd);
    const t0 = performance.now();
    // spawnSync kills the qemu it started (its PID only) at the deadline.
    const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: deadlineMs, killSignal: 'SIGKILL', maxBuffer: 256 << 20, encoding: 'latin1' });
    const wallMs = performance.now() - t0;
    const out = (r.stdout ?? '').replace(/\r/g, '');
    const err = (r.stderr ?? '').trim().split('\n').at(-1) ?? '';
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new SeccheckError(undefined, where, `${command} not found; run npm run setup:vm`);
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
      throw new SeccheckError(undefined, where, `no result within ${deadlineMs} ms; qemu killed (${BEGIN.test(out) ? 'the probe started but did not finish' : 'the guest never reached /init'})`);
    }
    if (r.error) throw new SeccheckError(undefined, where, `${command}: ${r.error.message}`);
    const begin = BEGIN.exec(out);
    const end = END.exec(out);
    if (!begin || !end) {
      const tail = out.trim().split('\n').slice(-3).join(' | ');
      throw new SeccheckError(undefined, where, `qemu exited (${r.status ?? r.signal}) without the probe's results${tail ? `; console: ${tail}` : ''}${err ? `; qemu: ${err}` : ''}`);
    }
    if (end[3]) throw new SeccheckError(undefined, where, `the probe in the VM failed: ${end[3]}`);
    let answers: ProbeAnswer[];
    try {
      answers = parseAnswers(out.slice(begin.index, end.index));
    } catch (e) {
      // Keep the transcript: a garbled line is a console problem worth reading in full.
      const keep = join(tmpdir(), `seccheck-vm-${m.arch}-console-${process.pid}.log`);
      writeFileSync(keep, out);
      throw new SeccheckError(undefined, where, `unreadable answer on the serial console (${e instanceof Error ? e.message : String(e)}); transcript in ${keep}`);
    }
    if (answers.length !== requests.length) throw new SeccheckError(undefined, where, `${answers.length} answers for ${requests.length} requests`);
    return { answers, status: Number(end[1]), guestBootMs: Number(begin[1]), batchMs: Number(end[2]), wallMs, console: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
