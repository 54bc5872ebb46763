// kernelFeatures against what Node, /proc and the emulator say about the
// same kernel: uname, SECCOMP_GET_ACTION_AVAIL (the emulator's
// seccompGetActionAvail, SEMANTICS §6.1 #34), the flag mask for the
// running version (filterFlagMask), the /proc/sys/kernel/seccomp files,
// the notification sizes (§4.1) and the ABI probes. Skipped, with the
// reason in the name, where the probe library is not built.
import { readFileSync } from 'node:fs';
import { machine, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { filterFlagMask, parseKernelRelease, seccompGetActionAvail } from 'unicorn-bpf-emulator';
import { FEATURE_ACTIONS, kernelFeatures } from './features.js';
import { probeUnavailable } from './library.js';

const unavailable = probeUnavailable();
const kernelDescribe = unavailable === null ? describe : describe.skip;
const skipNote = unavailable === null ? '' : ` (skipped: ${unavailable})`;

kernelDescribe(`kernelFeatures${skipNote}`, () => {
  const f = unavailable === null ? kernelFeatures() : undefined!;

  it('uname release and machine are the ones Node sees', () => {
    expect(f.release).toBe(release());
    expect(f.machine).toBe(machine());
  });

  it('seccomp(2) answers; GET_ACTION_AVAIL agrees with the emulator for the 8 actions and the 2 non-actions (§6.1 #34)', () => {
    expect(f.seccompErrno).toBeNull();
    expect(f.actionAvail.map((a) => a.value)).toEqual(FEATURE_ACTIONS.map((a) => a.value));
    for (const a of f.actionAvail) {
      const emu = seccompGetActionAvail(a.value);
      expect(a.errno, a.name).toBe(emu.ok ? null : emu.errno);
    }
  });

  it('the supported filter flags are the mask the emulator gives for this kernel version (unknown bits EINVAL first, §2.1)', () => {
    const v = parseKernelRelease(f.release);
    expect(v).not.toBeNull();
    expect(f.flags).toBe(filterFlagMask(v!));
    expect(f.flagNames.slice(0, 4)).toEqual(['TSYNC', 'LOG', 'SPEC_ALLOW', 'NEW_LISTENER']);
  });

  it('actions_avail and actions_logged are the /proc files, word by word, and name every available action', () => {
    const read = (name: string): string[] => readFileSync(`/proc/sys/kernel/seccomp/${name}`, 'utf8').trim().split(/\s+/);
    expect(f.actionsAvail).toEqual(read('actions_avail'));
    expect(f.actionsLogged).toEqual(read('actions_logged'));
    const available = f.actionAvail.filter((a) => a.errno === null).map((a) => a.name);
    expect([...available].sort()).toEqual([...f.actionsAvail!].sort());
  });

  it('SECCOMP_GET_NOTIF_SIZES: seccomp_notif 80, seccomp_notif_resp 24, seccomp_data 64 (§4.1)', () => {
    expect(f.notifSizes).toEqual({ seccompNotif: 80, seccompNotifResp: 24, seccompData: 64 });
    expect(f.notifSizesErrno).toBeNull();
  });

  it('x32 and i386 probes: on x86_64 each works (returns the pid) or is refused with ENOSYS / killed; elsewhere not applicable', () => {
    if (f.machine === 'x86_64') {
      expect(f.x32.state === 'works' || (f.x32.state === 'refused' && f.x32.errno === 'ENOSYS')).toBe(true);
      expect(['works', 'refused', 'signalled']).toContain(f.i386.state);
    } else {
      expect(f.x32).toEqual({ state: 'not_applicable' });
      expect(f.i386).toEqual({ state: 'not_applicable' });
    }
  });

  it('this process: seccomp mode, filter count and no_new_privs as /proc/self/status says', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (k: string): number => Number(new RegExp(`^${k}:\\s*(\\d+)`, 'm').exec(status)![1]);
    expect(f.self).toEqual({ seccompMode: field('Seccomp'), seccompFilters: field('Seccomp_filters'), noNewPrivs: field('NoNewPrivs') !== 0 });
  });
});
