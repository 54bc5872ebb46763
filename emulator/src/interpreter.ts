// The reference interpreter: one instruction at a time, with Unicorn-style
// registers, hooks, step() and an instruction budget (SEMANTICS §3).
import { BPF_MEMWORDS, OP, type Insn, type Program } from './bpf.js';
import { checkFilter, type CheckRejected } from './check.js';
import type { Endian } from './codec.js';
import { seccompDataWords, SECCOMP_DATA_SIZE, SECCOMP_DATA_WORDS, type SeccompData } from './seccomp_data.js';

/** The program was rejected by the kernel's checker. */
export class ProgramRejectedError extends Error {
  constructor(readonly rejection: CheckRejected) {
    super(`program rejected (${rejection.errno}, rule ${rejection.rule}${rejection.insn === null ? '' : `, insn ${rejection.insn}`}): ${rejection.reason}`);
    this.name = 'ProgramRejectedError';
  }
}

/** The machine met something a checked program can never contain. */
export class IllegalInstructionError extends Error {
  constructor(readonly pc: number, readonly insn: Insn | undefined, what: string) {
    super(`illegal instruction at ${pc}: ${what}`);
    this.name = 'IllegalInstructionError';
  }
}

export type Register = 'A' | 'X' | 'pc';

/** Called before each instruction executes. */
export type CodeHook = (emu: BpfEmulator, pc: number, insn: Insn) => void;
/** Called after each load: from seccomp_data (`offset` in bytes) or scratch memory M[index]. */
export type LoadHook = (emu: BpfEmulator, load: { source: 'data'; offset: number; value: number } | { source: 'mem'; index: number; value: number }) => void;

export type HookType = 'code' | 'load';

export type RunStatus =
  | { readonly status: 'returned'; readonly ret: number; readonly steps: number }
  | { readonly status: 'stopped'; readonly pc: number; readonly steps: number }
  | { readonly status: 'budget'; readonly pc: number; readonly steps: number };

export interface RunOptions {
  /** Stop after this many instructions (default: unlimited; programs always end within their length). */
  readonly budget?: number;
}

export interface EmulatorOptions {
  /** Run the kernel's checker first and refuse rejected programs (default true). */
  readonly check?: boolean;
}

export class BpfEmulator {
  readonly program: Program;
  private a = 0;
  private x = 0;
  private _pc = 0;
  private readonly mem = new Uint32Array(BPF_MEMWORDS);
  private words: Uint32Array = new Uint32Array(SECCOMP_DATA_WORDS);
  private done = false;
  private ret = 0;
  private steps = 0;
  private stopRequested = false;
  private nextHook = 1;
  private readonly codeHooks = new Map<number, CodeHook>();
  private readonly loadHooks = new Map<number, LoadHook>();

  constructor(program: Program, opts: EmulatorOptions = {}) {
    if (opts.check ?? true) {
      const r = checkFilter(program);
      if (!r.accepted) throw new ProgramRejectedError(r);
    }
    this.program = program;
  }

  get A(): number { return this.a; }
  get X(): number { return this.x; }
  get pc(): number { return this._pc; }
  /** A copy of scratch memory M[0..15]. */
  get M(): Uint32Array { return this.mem.slice(); }
  /** True once a RET (or DIV by zero) ended the program. */
  get finished(): boolean { return this.done; }
  /** The value returned, once finished. */
  get returnValue(): number | undefined { return this.done ? this.ret : undefined; }

  regRead(reg: Register): number {
    return reg === 'A' ? this.a : reg === 'X' ? this.x : this._pc;
  }

  regWrite(reg: Register, value: number): void {
    if (reg === 'A') this.a = value >>> 0;
    else if (reg === 'X') this.x = value >>> 0;
    else this._pc = value >>> 0;
  }

  memRead(index: number): number {
    this.memIndex(index);
    return this.mem[index];
  }

  memWrite(index: number, value: number): void {
    this.memIndex(index);
    this.mem[index] = value >>> 0;
  }

  private memIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= BPF_MEMWORDS) throw new RangeError(`M[${index}] is out of range 0..15`);
  }

  hookAdd(type: 'code', cb: CodeHook): number;
  hookAdd(type: 'load', cb: LoadHook): number;
  hookAdd(type: HookType, cb: CodeHook | LoadHook): number {
    const h = this.nextHook++;
    if (type === 'code') this.codeHooks.set(h, cb as CodeHook);
    else this.loadHooks.set(h, cb as LoadHook);
    return h;
  }

  hookDel(handle: number): void {
    this.codeHooks.delete(handle);
    this.loadHooks.delete(handle);
  }

  /** Ask a running start()/run() to stop before the next instruction (from a hook). */
  emuStop(): void {
    this.stopRequested = true;
  }

  /**
   * Reset the machine for new input: A = X = 0, pc = 0, M zeroed (the
   * kernel leaves M uninitialised, but the checker makes that unobservable).
   */
  reset(data: SeccompData | Uint32Array, endian: Endian = 'little'): void {
    this.words = data instanceof Uint32Array ? data.slice(0, SECCOMP_DATA_WORDS) : seccompDataWords(data, endian);
    if (this.words.length !== SECCOMP_DATA_WORDS) throw new RangeError(`seccomp_data needs ${SECCOMP_DATA_WORDS} words`);
    this.a = 0;
    this.x = 0;
    this._pc = 0;
    this.mem.fill(0);
    this.done = false;
    this.ret = 0;
    this.steps = 0;
    this.stopRequested = false;
  }

  /** Execute one instruction. Returns the return value once the program ends, else undefined. */
  step(): number | undefined {
    if (this.done) return this.ret;
    const pc = this._pc;
    const ins = this.program[pc];
    if (ins === undefined) throw new IllegalInstructionError(pc, undefined, 'pc ran past the end of the program');
    for (const h of this.codeHooks.values()) h(this, pc, ins);
    this.steps++;
    const k = ins.k >>> 0;
    let next = pc + 1;
    switch (ins.code) {
      case OP.LD_W_ABS:
      case OP.LDX_W_ABS: {
        if (k >= SECCOMP_DATA_SIZE || k & 3) throw new IllegalInstructionError(pc, ins, `load from seccomp_data offset ${k}`);
        this.a = this.words[k >>> 2];
        this.emitLoad({ source: 'data', offset: k, value: this.a });
        break;
      }
      case OP.LD_W_LEN: this.a = SECCOMP_DATA_SIZE; break;
      case OP.LDX_W_LEN: this.x = SECCOMP_DATA_SIZE; break;
      case OP.LD_IMM: this.a = k; break;
      case OP.LDX_IMM: this.x = k; break;
      case OP.LD_MEM:
        this.memOperand(pc, ins, k);
        this.a = this.mem[k];
        this.emitLoad({ source: 'mem', index: k, value: this.a });
        break;
      case OP.LDX_MEM:
        this.memOperand(pc, ins, k);
        this.x = this.mem[k];
        this.emitLoad({ source: 'mem', index: k, value: this.x });
        break;
      case OP.ST: this.memOperand(pc, ins, k); this.mem[k] = this.a; break;
      case OP.STX: this.memOperand(pc, ins, k); this.mem[k] = this.x; break;
      case OP.MISC_TAX: this.x = this.a; break;
      case OP.MISC_TXA: this.a = this.x; break;
      case OP.ALU_ADD_K: this.a = (this.a + k) >>> 0; break;
      case OP.ALU_ADD_X: this.a = (this.a + this.x) >>> 0; break;
      case OP.ALU_SUB_K: this.a = (this.a - k) >>> 0; break;
      case OP.ALU_SUB_X: this.a = (this.a - this.x) >>> 0; break;
      case OP.ALU_MUL_K: this.a = Math.imul(this.a, k) >>> 0; break;
      case OP.ALU_MUL_X: this.a = Math.imul(this.a, this.x) >>> 0; break;
      case OP.ALU_DIV_K:
        if (k === 0) throw new IllegalInstructionError(pc, ins, 'DIV by the constant 0');
        this.a = Math.floor(this.a / k) >>> 0;
        break;
      case OP.ALU_DIV_X:
        // bpf_convert_filter: if X == 0 the whole filter returns 0.
        if (this.x === 0) return this.finish(0);
        this.a = Math.floor(this.a / this.x) >>> 0;
        break;
      case OP.ALU_AND_K: this.a = (this.a & k) >>> 0; break;
      case OP.ALU_AND_X: this.a = (this.a & this.x) >>> 0; break;
      case OP.ALU_OR_K: this.a = (this.a | k) >>> 0; break;
      case OP.ALU_OR_X: this.a = (this.a | this.x) >>> 0; break;
      case OP.ALU_XOR_K: this.a = (this.a ^ k) >>> 0; break;
      case OP.ALU_XOR_X: this.a = (this.a ^ this.x) >>> 0; break;
      case OP.ALU_LSH_K: this.a = (this.a << (k & 31)) >>> 0; break;
      case OP.ALU_LSH_X: this.a = (this.a << (this.x & 31)) >>> 0; break;
      case OP.ALU_RSH_K: this.a = this.a >>> (k & 31); break;
      case OP.ALU_RSH_X: this.a = this.a >>> (this.x & 31); break;
      case OP.ALU_NEG: this.a = (0 - this.a) >>> 0; break;
      case OP.JMP_JA: next = pc + 1 + k; break;
      case OP.JMP_JEQ_K: next = pc + 1 + (this.a === k ? ins.jt : ins.jf); break;
      case OP.JMP_JEQ_X: next = pc + 1 + (this.a === this.x ? ins.jt : ins.jf); break;
      case OP.JMP_JGT_K: next = pc + 1 + (this.a > k ? ins.jt : ins.jf); break;
      case OP.JMP_JGT_X: next = pc + 1 + (this.a > this.x ? ins.jt : ins.jf); break;
      case OP.JMP_JGE_K: next = pc + 1 + (this.a >= k ? ins.jt : ins.jf); break;
      case OP.JMP_JGE_X: next = pc + 1 + (this.a >= this.x ? ins.jt : ins.jf); break;
      case OP.JMP_JSET_K: next = pc + 1 + ((this.a & k) !== 0 ? ins.jt : ins.jf); break;
      case OP.JMP_JSET_X: next = pc + 1 + ((this.a & this.x) !== 0 ? ins.jt : ins.jf); break;
      case OP.RET_K: return this.finish(k);
      case OP.RET_A: return this.finish(this.a);
      default:
        throw new IllegalInstructionError(pc, ins, `opcode 0x${ins.code.toString(16)} is not a seccomp instruction`);
    }
    if (next >= this.program.length) throw new IllegalInstructionError(pc, ins, `jump to ${next} is past the end of the program`);
    this._pc = next;
    return undefined;
  }

  /** Unchecked programs can name M[16] and beyond; the checker would have refused them. */
  private memOperand(pc: number, ins: Insn, k: number): void {
    if (k >= BPF_MEMWORDS) throw new IllegalInstructionError(pc, ins, `scratch memory index M[${k}]`);
  }

  private finish(ret: number): number {
    this.done = true;
    this.ret = ret >>> 0;
    return this.ret;
  }

  private emitLoad(load: Parameters<LoadHook>[1]): void {
    for (const h of this.loadHooks.values()) h(this, load);
  }

  /** Run from the start on `data` until RET, emuStop() or the budget. */
  start(data: SeccompData | Uint32Array, opts: RunOptions & { endian?: Endian } = {}): RunStatus {
    this.reset(data, opts.endian);
    return this.resume(opts);
  }

  /** Continue from the current pc (after step() or a stop). */
  resume(opts: RunOptions = {}): RunStatus {
    const budget = opts.budget ?? Infinity;
    this.stopRequested = false;
    let executed = 0;
    while (!this.done) {
      if (this.stopRequested) return { status: 'stopped', pc: this._pc, steps: this.steps };
      if (executed >= budget) return { status: 'budget', pc: this._pc, steps: this.steps };
      this.step();
      executed++;
    }
    return { status: 'returned', ret: this.ret, steps: this.steps };
  }

  /** Evaluate the program on `data`: the filter's 32-bit return value. */
  run(data: SeccompData | Uint32Array, opts: RunOptions & { endian?: Endian } = {}): number {
    const s = this.start(data, opts);
    if (s.status !== 'returned') throw new Error(`emulation did not finish: ${s.status} at pc ${s.pc}`);
    return s.ret;
  }
}

/** Evaluate a program once with the reference interpreter. */
export function interpret(program: Program, data: SeccompData | Uint32Array, endian: Endian = 'little'): number {
  return new BpfEmulator(program).run(data, { endian });
}
