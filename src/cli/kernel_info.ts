// seccheck kernel-info [--json]: what the running kernel's seccomp offers,
// from the native probe (native/features.ts): one line per feature, or one
// JSON document. Exit 0; 2 with one line when the probe is not built.
import type { Command } from 'commander';
import { kernelFeatures, type AbiProbe, type KernelFeatures } from '../../native/features.js';
import { KernelProbeUnavailableError, probeUnavailable } from '../../native/library.js';
import { printLines, type CommandContext } from './context.js';

interface KernelInfoOptions {
  readonly json?: boolean;
}

export function registerKernelInfo(program: Command, ctx: CommandContext): void {
  program
    .command('kernel-info')
    .description('what the running kernel\'s seccomp offers: actions, filter flags, /proc settings, x32 and i386 system calls (needs the native probe)')
    .option('--json', 'one JSON document')
    .addHelpText('after', '\nExit status: 0, or 2 when the native probe is not built (the line says why).')
    .action((opts: KernelInfoOptions) => {
      const reason = probeUnavailable();
      if (reason !== null) throw new KernelProbeUnavailableError(reason);
      const f = kernelFeatures();
      if (opts.json) ctx.io.out(JSON.stringify(f) + '\n');
      else printLines(ctx.io, formatKernelFeatures(f));
    });
}

/** The text report: one line per feature. */
export function formatKernelFeatures(f: KernelFeatures): string[] {
  const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
  const lines = [`kernel: ${f.release} ${f.machine}`];
  if (f.seccompErrno !== null) {
    lines.push(`seccomp(2): unavailable (${f.seccompErrno})`);
  } else {
    const actions = f.actionAvail.slice(0, 8);
    const missing = actions.filter((a) => a.errno !== null).map((a) => `${a.name} (${a.errno})`);
    const others = f.actionAvail.slice(8).map((a) => `${hex(a.value)} ${a.errno ?? 'available'}`);
    lines.push(`actions (GET_ACTION_AVAIL): ${actions.filter((a) => a.errno === null).map((a) => a.name).join(' ') || 'none'}` +
      `${missing.length ? `; unavailable: ${missing.join(', ')}` : ''}; ${others.join(', ')}`);
    lines.push(`filter flags: 0x${f.flags.toString(16)} ${f.flagNames.join(' ')}`.trimEnd());
    lines.push(f.notifSizes
      ? `notification sizes: seccomp_notif ${f.notifSizes.seccompNotif}, seccomp_notif_resp ${f.notifSizes.seccompNotifResp}, seccomp_data ${f.notifSizes.seccompData}`
      : `notification sizes: unavailable (${f.notifSizesErrno})`);
  }
  lines.push(`actions_avail: ${f.actionsAvail?.join(' ') ?? 'unreadable'}`);
  lines.push(`actions_logged: ${f.actionsLogged?.join(' ') ?? 'unreadable'}`);
  lines.push(`x32 system calls: ${abiLine(f.x32)}`);
  lines.push(`i386 int $0x80: ${abiLine(f.i386)}`);
  const s = f.self;
  const mode = s.seccompMode === null ? 'unknown' : (['disabled', 'strict', 'filter'][s.seccompMode] ?? String(s.seccompMode));
  lines.push(`this process: seccomp ${mode}${s.seccompFilters ? ` (${s.seccompFilters} filter${s.seccompFilters === 1 ? '' : 's'} already apply to every probe)` : ''}, no_new_privs ${s.noNewPrivs === null ? 'unknown' : s.noNewPrivs ? 'set' : 'not set'}`);
  return lines;
}

function abiLine(p: AbiProbe): string {
  switch (p.state) {
    case 'works':
      return 'available (getpid returned the caller\'s pid)';
    case 'refused':
      return `refused (${p.errno})`;
    case 'returned':
      return `getpid returned ${p.ret}`;
    case 'signalled':
      return `the caller is killed (signal ${p.signal})`;
    case 'failed':
      return `not probed (${p.errno})`;
    case 'not_applicable':
      return 'not applicable (not x86_64)';
  }
}
