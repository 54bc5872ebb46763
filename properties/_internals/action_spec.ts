// Actions as users write them: the kernel's names ("ALLOW", "ERRNO(1)",
// "ERRNO(EPERM)", "KILL_PROCESS", "TRAP(5)") or "deny" (anything but
// ALLOW/LOG), parsed once into a predicate on a filter's 32-bit value.
import { decodeAction, formatAction, type ActionKind } from 'unicorn-bpf-emulator';
import { errnoNumber } from '../../src/arch/errno.js';

export type ActionSpec = string;

export interface ActionMatcher {
  readonly text: string;
  /** Does this filter (or stack) return value satisfy the spec? */
  readonly matches: (raw: number) => boolean;
}

const KINDS: readonly ActionKind[] = ['KILL_PROCESS', 'KILL_THREAD', 'TRAP', 'ERRNO', 'USER_NOTIF', 'TRACE', 'LOG', 'ALLOW'];

/** Parse an action spec; throws on anything it does not know. */
export function parseActionSpec(spec: ActionSpec, archName?: string): ActionMatcher {
  const text = spec.trim();
  if (/^deny$/i.test(text)) {
    return { text: 'deny', matches: (raw) => { const k = decodeAction(raw).kind; return k !== 'ALLOW' && k !== 'LOG'; } };
  }
  const m = /^([A-Z_]+)(?:\((.+)\))?$/.exec(text === 'KILL' ? 'KILL_THREAD' : text);
  if (!m || !KINDS.includes(m[1] as ActionKind)) throw new Error(`unknown action "${spec}" (expected a kernel action name such as ALLOW, ERRNO(1), KILL_PROCESS, or "deny")`);
  const kind = m[1] as ActionKind;
  if (m[2] === undefined) return { text, matches: (raw) => decodeAction(raw).kind === kind };
  const arg = m[2].trim();
  const data = /^(0x[0-9a-f]+|\d+)$/i.test(arg) ? Number(arg) : errnoNumber(arg, archName);
  if (data === undefined || !Number.isInteger(data)) throw new Error(`unknown action data "${arg}" in "${spec}"`);
  const want = kind === 'ERRNO' ? Math.min(data, 4095) : data;
  return { text, matches: (raw) => { const a = decodeAction(raw); return a.kind === kind && a.data === want; } };
}

export { formatAction };
