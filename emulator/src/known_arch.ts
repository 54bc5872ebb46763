// Which ABI is known at each instruction: a forward dataflow over a program
// that tracks what A holds (the nr word, the arch word, something else) and
// which AUDIT_ARCH_* value the arch checks on the path have established. The
// disassembler uses it to print `getpid` for 39, the assembler to turn
// `getpid` back into 39 — the same analysis on both sides.
//
// The rule, per path from instruction 0:
// - `A = arch; if (A == K)` (JEQ with a constant, A holding the arch word on
//   that path): the true branch establishes K; the false branch keeps what
//   the path had established, or, if nothing, makes the arch unknown.
// - Any other test of the arch word (JGT/JGE/JSET, X forms) keeps what the
//   path had established, or makes the arch unknown.
// - A path that has passed no test of the arch word uses the default ABI
//   (`defaultAuditArch`, e.g. from --arch), if there is one; otherwise its
//   arch is unknown.
// - A path that the comparisons make impossible (true branch of `A == K` after
//   the path established L != K, false branch after it established K) is
//   dropped.
// An instruction's arch is known when every path reaching it agrees on one
// value. Unreachable instructions know nothing. Nothing is tracked through
// M[] or X.
import { OP } from './bpf.js';

/** What A holds: the syscall number word (LD [0]), the arch word (LD [4]), or anything else. */
export type AWord = 'nr' | 'arch' | 'other';

/** The fields the analysis reads; `k` may be unknown while a program is being assembled. */
export interface FlowInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number | undefined;
}

export interface KnownArchFacts {
  /** Whether some path from instruction 0 reaches the instruction (ignoring the data). */
  readonly reachable: boolean;
  /** What A holds before the instruction on every path reaching it; 'other' if they disagree. */
  readonly a: AWord;
  /** Whether A holds the arch word on at least one path reaching the instruction. */
  readonly aMayBeArch: boolean;
  /** The AUDIT_ARCH_* value every path reaching the instruction agrees on, if any. */
  readonly auditArch: number | undefined;
}

// Per-path facts. arch: an AUDIT_ARCH value, NONE (no arch test on the path)
// or UNKNOWN (tested, nothing established).
const NONE = -1;
const UNKNOWN = -2;
interface PathFact {
  readonly a: AWord;
  readonly arch: number;
}
/** Above this many distinct facts at one instruction, established values are folded into UNKNOWN. */
const MAX_FACTS = 64;

const JCOND = new Set<number>([
  OP.JMP_JEQ_K, OP.JMP_JEQ_X, OP.JMP_JGT_K, OP.JMP_JGT_X,
  OP.JMP_JGE_K, OP.JMP_JGE_X, OP.JMP_JSET_K, OP.JMP_JSET_X,
]);

/** What A holds after a non-jump instruction. */
function aAfter(code: number, k: number | undefined, a: AWord): AWord {
  switch (code) {
    case OP.LD_W_ABS:
      return k === 0 ? 'nr' : k === 4 ? 'arch' : 'other';
    case OP.LDX_IMM: case OP.LDX_MEM: case OP.LDX_W_LEN: case OP.LDX_B_MSH:
    case OP.ST: case OP.STX: case OP.MISC_TAX:
      return a;
    default:
      return 'other';
  }
}

/** The known-arch facts of every instruction of `program`. */
export function knownArch(program: readonly FlowInsn[], defaultAuditArch?: number): KnownArchFacts[] {
  const n = program.length;
  const incoming: Map<string, PathFact>[] = Array.from({ length: n }, () => new Map());
  const add = (target: number, f: PathFact): void => {
    if (target >= n) return;
    const m = incoming[target];
    m.set(`${f.a}:${f.arch}`, f);
    if (m.size > MAX_FACTS) {
      const folded = [...m.values()].map((g) => (g.arch >= 0 ? { a: g.a, arch: UNKNOWN } : g));
      m.clear();
      for (const g of folded) m.set(`${g.a}:${g.arch}`, g);
    }
  };
  if (n > 0) add(0, { a: 'other', arch: NONE });
  const def = defaultAuditArch === undefined ? UNKNOWN : defaultAuditArch >>> 0;
  const out: KnownArchFacts[] = new Array(n);

  for (let i = 0; i < n; i++) {
    const paths = [...incoming[i].values()];
    incoming[i].clear();
    out[i] = summarize(paths, def);
    const { code, jt, jf, k } = program[i];
    if (code === OP.RET_K || code === OP.RET_A) continue;
    if (code === OP.JMP_JA) {
      if (k !== undefined) for (const p of paths) add(i + 1 + k, p);
      continue;
    }
    if (JCOND.has(code)) {
      for (const p of paths) {
        if (p.a !== 'arch') {
          add(i + 1 + jt, p);
          add(i + 1 + jf, p);
        } else if (code === OP.JMP_JEQ_K && k !== undefined) {
          const kk = k >>> 0;
          if (p.arch < 0 || p.arch === kk) add(i + 1 + jt, { a: p.a, arch: kk });
          if (p.arch !== kk) add(i + 1 + jf, { a: p.a, arch: p.arch >= 0 ? p.arch : UNKNOWN });
        } else {
          const q = { a: p.a, arch: p.arch >= 0 ? p.arch : UNKNOWN };
          add(i + 1 + jt, q);
          add(i + 1 + jf, q);
        }
      }
      continue;
    }
    for (const p of paths) add(i + 1, { a: aAfter(code, k, p.a), arch: p.arch });
  }
  return out;
}

function summarize(paths: readonly PathFact[], def: number): KnownArchFacts {
  if (paths.length === 0) return { reachable: false, a: 'other', aMayBeArch: false, auditArch: undefined };
  const a = paths.every((p) => p.a === paths[0].a) ? paths[0].a : 'other';
  const aMayBeArch = paths.some((p) => p.a === 'arch');
  let arch: number | undefined;
  for (const p of paths) {
    const v = p.arch === NONE ? def : p.arch;
    if (v === UNKNOWN || (arch !== undefined && arch !== v)) return { reachable: true, a, aMayBeArch, auditArch: undefined };
    arch = v;
  }
  return { reachable: true, a, aMayBeArch, auditArch: arch };
}
