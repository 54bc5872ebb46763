// Coverage of one checked program by a set of inputs: how often each
// instruction ran and how often each branch edge was taken. Built for
// fuzzing: record() is a tight evaluation loop of its own (no hooks, no
// per-instruction allocation) that returns exactly what BpfEmulator.run
// returns (SEMANTICS §3) while counting.
//
// Edges. edges() lists every static edge of the program, in instruction
// order:
//   * a conditional jump (JEQ/JGT/JGE/JSET, K or X) has two edges, 'true'
//     then 'false', even when jt == jf (both edges then share a target; the
//     one taken is the one the condition chose);
//   * a JA has one edge, 'ja', whatever its k (JA 0 included): the list is
//     then a plain function of the instruction list, and a JA edge is hit
//     exactly as often as its instruction;
//   * fall-through from straight-line instructions is not an edge, and
//     neither is the early exit of DIV X with X == 0 (the filter returns 0
//     there: the DIV is counted as executed, its successor is not).
//
// Counting. record() increments only edge counters (and a counter per
// DIV X for its early exits); instruction counts are derived from them on
// demand. Counters are u32 and wrap after 2^32 hits.
import { OP, isCondJump, type Program } from './bpf.js';
import { checkFilter } from './check.js';
import { ProgramRejectedError } from './interpreter.js';
import { SECCOMP_DATA_WORDS } from './seccomp_data.js';

export interface BranchEdge {
  readonly from: number;
  readonly to: number;
  readonly branch: 'true' | 'false' | 'ja';
}

export interface CoverageSummary {
  readonly instructions: { readonly hit: number; readonly total: number };
  readonly edges: { readonly hit: number; readonly total: number };
}

// Dense operation numbers for the evaluation loop's switch (one per
// instruction of the rewritten program; assigned in the constructor).
const LDW = 0, LD_IMM = 1, LDX_IMM = 2, LD_MEM = 3, LDX_MEM = 4, ST = 5, STX = 6, TAX = 7, TXA = 8;
const ADD_K = 9, ADD_X = 10, SUB_K = 11, SUB_X = 12, MUL_K = 13, MUL_X = 14, DIV_K = 15, DIV_X = 16;
const AND_K = 17, AND_X = 18, OR_K = 19, OR_X = 20, XOR_K = 21, XOR_X = 22;
const LSH_K = 23, LSH_X = 24, RSH_K = 25, RSH_X = 26, NEG = 27;
const JA = 28, JEQ_K = 29, JEQ_X = 30, JGT_K = 31, JGT_X = 32, JGE_K = 33, JGE_X = 34, JSET_K = 35, JSET_X = 36;
const RET_K = 37, RET_A = 38;

/** Code of the rewritten program (seccomp_check_filter's output) -> dense op. */
const DENSE = new Map<number, number>([
  [OP.LDX_W_ABS, LDW], [OP.LD_IMM, LD_IMM], [OP.LDX_IMM, LDX_IMM], [OP.LD_MEM, LD_MEM], [OP.LDX_MEM, LDX_MEM],
  [OP.ST, ST], [OP.STX, STX], [OP.MISC_TAX, TAX], [OP.MISC_TXA, TXA],
  [OP.ALU_ADD_K, ADD_K], [OP.ALU_ADD_X, ADD_X], [OP.ALU_SUB_K, SUB_K], [OP.ALU_SUB_X, SUB_X],
  [OP.ALU_MUL_K, MUL_K], [OP.ALU_MUL_X, MUL_X], [OP.ALU_DIV_K, DIV_K], [OP.ALU_DIV_X, DIV_X],
  [OP.ALU_AND_K, AND_K], [OP.ALU_AND_X, AND_X], [OP.ALU_OR_K, OR_K], [OP.ALU_OR_X, OR_X],
  [OP.ALU_XOR_K, XOR_K], [OP.ALU_XOR_X, XOR_X], [OP.ALU_LSH_K, LSH_K], [OP.ALU_LSH_X, LSH_X],
  [OP.ALU_RSH_K, RSH_K], [OP.ALU_RSH_X, RSH_X], [OP.ALU_NEG, NEG],
  [OP.JMP_JA, JA], [OP.JMP_JEQ_K, JEQ_K], [OP.JMP_JEQ_X, JEQ_X], [OP.JMP_JGT_K, JGT_K], [OP.JMP_JGT_X, JGT_X],
  [OP.JMP_JGE_K, JGE_K], [OP.JMP_JGE_X, JGE_X], [OP.JMP_JSET_K, JSET_K], [OP.JMP_JSET_X, JSET_X],
  [OP.RET_K, RET_K], [OP.RET_A, RET_A],
]);

export class Coverage {
  /** The program as given (not the kernel's rewrite). */
  readonly program: Program;
  private readonly op: Uint8Array;
  /** k as int32; for data loads, the word index k / 4. */
  private readonly k: Int32Array;
  /** Absolute jump targets: true (or JA) and false. */
  private readonly tTrue: Int32Array;
  private readonly tFalse: Int32Array;
  /** Index in edges() of the instruction's first edge ('true' or 'ja'); -1 if none. */
  private readonly edgeBase: Int32Array;
  private readonly edgeList: readonly BranchEdge[];
  private readonly eHits: Uint32Array;
  /** Per instruction: runs that ended at a DIV X with X == 0 (only DIV X entries move). */
  private readonly divExits: Uint32Array;
  private readonly mem = new Int32Array(16);
  private nRuns = 0;

  /** `program` must be one checkFilter accepts; otherwise ProgramRejectedError. */
  constructor(program: Program) {
    const checked = checkFilter(program);
    if (!checked.accepted) throw new ProgramRejectedError(checked);
    this.program = program;
    const p = checked.rewritten; // LD W ABS -> 0x21, LEN -> IMM 64
    const n = p.length;
    this.op = new Uint8Array(n);
    this.k = new Int32Array(n);
    this.tTrue = new Int32Array(n);
    this.tFalse = new Int32Array(n);
    this.edgeBase = new Int32Array(n).fill(-1);
    const edges: BranchEdge[] = [];
    for (let pc = 0; pc < n; pc++) {
      const { code, jt, jf, k } = p[pc];
      const op = DENSE.get(code);
      if (op === undefined) throw new Error(`coverage: opcode 0x${code.toString(16)} at ${pc} survived the checker`);
      this.op[pc] = op;
      this.k[pc] = op === LDW ? k >>> 2 : k | 0;
      if (code === OP.JMP_JA) {
        this.tTrue[pc] = pc + 1 + k;
        this.edgeBase[pc] = edges.length;
        edges.push(Object.freeze({ from: pc, to: pc + 1 + k, branch: 'ja' as const }));
      } else if (isCondJump(code)) {
        this.tTrue[pc] = pc + 1 + jt;
        this.tFalse[pc] = pc + 1 + jf;
        this.edgeBase[pc] = edges.length;
        edges.push(Object.freeze({ from: pc, to: pc + 1 + jt, branch: 'true' as const }));
        edges.push(Object.freeze({ from: pc, to: pc + 1 + jf, branch: 'false' as const }));
      }
    }
    this.edgeList = Object.freeze(edges);
    this.eHits = new Uint32Array(edges.length);
    this.divExits = new Uint32Array(n);
  }

  /** How many times record() ran (merged runs included). */
  get runs(): number {
    return this.nRuns;
  }

  /**
   * Evaluate the program once on the 16 seccomp_data words (as
   * seccompDataWords builds them), count what ran, and return the filter's
   * 32-bit value.
   */
  record(words: Uint32Array): number {
    if (words.length < SECCOMP_DATA_WORDS) throw new RangeError(`seccomp_data needs ${SECCOMP_DATA_WORDS} words, got ${words.length}`);
    const op = this.op, kk = this.k, tT = this.tTrue, tF = this.tFalse, eb = this.edgeBase;
    const eh = this.eHits, m = this.mem;
    this.nRuns++;
    // A and X are int32 here; unsigned views are taken where the kernel compares or divides unsigned.
    let a = 0, x = 0, pc = 0;
    for (;;) {
      const k = kk[pc];
      switch (op[pc]) {
        case LDW: a = words[k] | 0; break;
        case LD_IMM: a = k; break;
        case LDX_IMM: x = k; break;
        case LD_MEM: a = m[k]; break;
        case LDX_MEM: x = m[k]; break;
        case ST: m[k] = a; break;
        case STX: m[k] = x; break;
        case TAX: x = a; break;
        case TXA: a = x; break;
        case ADD_K: a = (a + k) | 0; break;
        case ADD_X: a = (a + x) | 0; break;
        case SUB_K: a = (a - k) | 0; break;
        case SUB_X: a = (a - x) | 0; break;
        case MUL_K: a = Math.imul(a, k); break;
        case MUL_X: a = Math.imul(a, x); break;
        case DIV_K: a = ((a >>> 0) / (k >>> 0)) | 0; break;
        case DIV_X:
          // bpf_convert_filter: DIV by X == 0 makes the whole filter return 0.
          if (x === 0) {
            this.divExits[pc]++;
            return 0;
          }
          a = ((a >>> 0) / (x >>> 0)) | 0;
          break;
        case AND_K: a &= k; break;
        case AND_X: a &= x; break;
        case OR_K: a |= k; break;
        case OR_X: a |= x; break;
        case XOR_K: a ^= k; break;
        case XOR_X: a ^= x; break;
        // JS masks shift counts to 5 bits, as the kernel does for X shifts (k < 32 is checked).
        case LSH_K: a <<= k; break;
        case LSH_X: a <<= x; break;
        case RSH_K: a = (a >>> k) | 0; break;
        case RSH_X: a = (a >>> x) | 0; break;
        case NEG: a = -a | 0; break;
        case JA:
          eh[eb[pc]]++;
          pc = tT[pc];
          continue;
        case JEQ_K:
          if (a === k) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JEQ_X:
          if (a === x) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JGT_K:
          if (a >>> 0 > k >>> 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JGT_X:
          if (a >>> 0 > x >>> 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JGE_K:
          if (a >>> 0 >= k >>> 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JGE_X:
          if (a >>> 0 >= x >>> 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JSET_K:
          if ((a & k) !== 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case JSET_X:
          if ((a & x) !== 0) { eh[eb[pc]]++; pc = tT[pc]; } else { eh[eb[pc] + 1]++; pc = tF[pc]; }
          continue;
        case RET_K: return k >>> 0;
        case RET_A: return a >>> 0;
      }
      pc++;
    }
  }

  /**
   * Hit count per instruction. record() counts only edges and DIV-by-zero
   * exits; instruction counts follow from them in one forward pass (jumps
   * only go forward): instruction 0 runs once per run, a straight-line
   * instruction passes its count on to the next one (minus DIV X exits), a
   * jump passes on exactly its edges' counts, and a RET passes on nothing.
   */
  instructionHits(): Uint32Array {
    const n = this.op.length;
    const inflow = new Float64Array(n + 1);
    const hits = new Uint32Array(n);
    inflow[0] = this.nRuns;
    for (let pc = 0; pc < n; pc++) {
      const h = inflow[pc];
      hits[pc] = h;
      const op = this.op[pc];
      if (op === RET_K || op === RET_A) continue;
      const e = this.edgeBase[pc];
      if (op === JA) inflow[this.tTrue[pc]] += this.eHits[e];
      else if (e >= 0) {
        inflow[this.tTrue[pc]] += this.eHits[e];
        inflow[this.tFalse[pc]] += this.eHits[e + 1];
      } else inflow[pc + 1] += h - this.divExits[pc];
    }
    return hits;
  }

  /** Every static edge of the program (see the file comment), in instruction order. */
  edges(): readonly BranchEdge[] {
    return this.edgeList;
  }

  /** Hits per edge, in the order of edges() (a copy). */
  edgeHits(): Uint32Array {
    return this.eHits.slice();
  }

  uncoveredInstructions(): number[] {
    const hits = this.instructionHits();
    const out: number[] = [];
    for (let i = 0; i < hits.length; i++) if (hits[i] === 0) out.push(i);
    return out;
  }

  uncoveredEdges(): BranchEdge[] {
    return this.edgeList.filter((_, i) => this.eHits[i] === 0);
  }

  summary(): CoverageSummary {
    const hits = this.instructionHits();
    let ih = 0;
    for (const h of hits) if (h) ih++;
    let eh = 0;
    for (const h of this.eHits) if (h) eh++;
    return { instructions: { hit: ih, total: hits.length }, edges: { hit: eh, total: this.eHits.length } };
  }

  /** Add another Coverage of the same program (instruction for instruction) into this one. */
  merge(other: Coverage): void {
    if (!sameProgram(this.program, other.program)) throw new Error('Coverage.merge: the two coverages are of different programs');
    for (let i = 0; i < this.eHits.length; i++) this.eHits[i] += other.eHits[i];
    for (let i = 0; i < this.divExits.length; i++) this.divExits[i] += other.divExits[i];
    this.nRuns += other.nRuns;
  }
}

function sameProgram(p: Program, q: Program): boolean {
  if (p === q) return true;
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) {
    const a = p[i], b = q[i];
    if (a.code !== b.code || a.jt !== b.jt || a.jf !== b.jf || a.k >>> 0 !== b.k >>> 0) return false;
  }
  return true;
}
