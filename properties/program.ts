// program(): seccomp programs with the shape real filters have — an arch
// check, an x32 guard on x86_64, the syscall number kept in scratch memory
// M[0], a dispatch on syscall numbers, 64-bit argument checks done as two
// 32-bit compares (high half, then low half: equality, lower bound or
// mask), and a default action. With `valid: false`, one near-valid mutation
// is applied (a jump one off, M[16], an unwritten M[k] read, no final RET,
// an unaligned or out-of-range load, DIV by 0, an unknown opcode): input for
// testing checkers. Such a program is usually rejected, but a mutation that
// happens to stay legal (an off-by-one jump still in range) is kept as is.
// Everything shrinks toward fewer rules and smaller constants.
import fc from 'fast-check';
import { OP, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_LOG, SECCOMP_RET_TRAP, argOffset, insn, type Insn } from 'unicorn-bpf-emulator';
import { syscallTable } from '../src/explain/explain.js';
import { abiByName } from './seccompData.js';

export interface ProgramOptions {
  /** Checked-valid programs (default) or near-valid mutations of them. */
  readonly valid?: boolean;
  /** ABI the arch check admits (default x86_64). */
  readonly arch?: string;
  /** Most syscall rules (default 12). */
  readonly maxRules?: number;
}

type ArgCheck = { readonly arg: number; readonly op: 'eq' | 'ge' | 'mask'; readonly hi: number; readonly lo: number; readonly mask: number };
interface Rule { readonly nr: number; readonly check: ArgCheck | null; readonly action: number }

const actionArb = fc.oneof(
  fc.constantFrom(SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP, SECCOMP_RET_LOG),
  fc.integer({ min: 1, max: 4095 }).map((e) => (SECCOMP_RET_ERRNO | e) >>> 0),
);
const u32 = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }));

/** Assemble the rules into a program (see the file comment for the layout). */
function assemble(abiName: string, rules: readonly Rule[], dflt: number): Insn[] {
  const abi = abiByName(abiName);
  const p: Insn[] = [
    insn(OP.LD_W_ABS, 0, 0, 4),
    insn(OP.JMP_JEQ_K, 1, 0, abi.auditArch),
    insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    insn(OP.LD_W_ABS, 0, 0, 0),
  ];
  if (abi.name === 'x86_64') p.push(insn(OP.JMP_JGE_K, 0, 1, 0x40000000), insn(OP.RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS));
  p.push(insn(OP.ST, 0, 0, 0));
  const hiOff = (arg: number): number => argOffset(arg) + (abi.endian === 'little' ? 4 : 0);
  const loOff = (arg: number): number => argOffset(arg) + (abi.endian === 'little' ? 0 : 4);
  for (const r of rules) {
    const block: Insn[] = [];
    // Jumps are emitted with jf = -1 and patched to "skip the rest of the block".
    block.push(insn(OP.LD_MEM, 0, 0, 0), insn(OP.JMP_JEQ_K, 0, 0xff, r.nr));
    const c = r.check;
    if (c) {
      block.push(insn(OP.LD_W_ABS, 0, 0, hiOff(c.arg)), insn(OP.JMP_JEQ_K, 0, 0xff, c.hi), insn(OP.LD_W_ABS, 0, 0, loOff(c.arg)));
      if (c.op === 'eq') block.push(insn(OP.JMP_JEQ_K, 0, 0xff, c.lo));
      else if (c.op === 'ge') block.push(insn(OP.JMP_JGE_K, 0, 0xff, c.lo));
      else block.push(insn(OP.ALU_AND_K, 0, 0, c.mask), insn(OP.JMP_JEQ_K, 0, 0xff, (c.lo & c.mask) >>> 0));
    }
    block.push(insn(OP.RET_K, 0, 0, r.action));
    block.forEach((ins, i) => { if (ins.jf === 0xff) block[i] = insn(ins.code, ins.jt, block.length - i - 1, ins.k); });
    p.push(...block);
  }
  p.push(insn(OP.RET_K, 0, 0, dflt));
  return p;
}

type Mutation = (p: Insn[], at: number) => Insn[];
const MUTATIONS: readonly Mutation[] = [
  (p, at) => { const js = p.map((x, i) => i).filter((i) => p[i].code >= 0x15 && (p[i].code & 7) === 5); const i = js[at % js.length]; const q = p.slice(); q[i] = insn(q[i].code, q[i].jt, q[i].jf + 1, q[i].k); return q; },
  (p, at) => { const ms = p.map((x, i) => i).filter((i) => p[i].code === OP.LD_MEM || p[i].code === OP.ST); const i = ms[at % ms.length]; const q = p.slice(); q[i] = insn(q[i].code, 0, 0, 16); return q; },
  (p) => p.map((x) => (x.code === OP.LD_MEM ? insn(OP.LD_MEM, 0, 0, 5) : x)),
  (p) => p.slice(0, -1).concat(insn(OP.LD_IMM, 0, 0, 0)),
  (p, at) => { const q = p.slice(); q[3] = insn(OP.LD_W_ABS, 0, 0, at % 2 ? 64 : 2); return q; },
  (p) => { const q = p.slice(); q.splice(4, 0, insn(OP.ALU_DIV_K, 0, 0, 0)); return fixJumpsAfterInsert(q, 4); },
  (p, at) => { const q = p.slice(); q[0] = insn(at % 2 ? OP.LD_B_ABS : 0x0e, 0, 0, 4); return q; },
];

/** After inserting at `at`, widen jumps that crossed it so the rest of the program keeps its shape. */
function fixJumpsAfterInsert(p: Insn[], at: number): Insn[] {
  return p.map((x, i) => {
    if (i >= at || (x.code & 7) !== 5) return x;
    const over = (off: number): number => (i + 1 + off >= at ? off + 1 : off);
    return x.code === OP.JMP_JA ? insn(x.code, 0, 0, over(x.k)) : insn(x.code, over(x.jt), over(x.jf), x.k);
  });
}

export function program(opts: ProgramOptions = {}): fc.Arbitrary<Insn[]> {
  const abi = abiByName(opts.arch ?? 'x86_64');
  const table = (syscallTable(abi) ?? []).map((e) => e.nr);
  const nr = table.length ? fc.constantFrom(...table) : fc.integer({ min: 0, max: 450 });
  const check: fc.Arbitrary<ArgCheck> = fc.record({
    arg: fc.integer({ min: 0, max: 5 }),
    op: fc.constantFrom('eq' as const, 'ge' as const, 'mask' as const),
    hi: fc.oneof(fc.constant(0), u32),
    lo: u32,
    mask: u32,
  });
  const rule: fc.Arbitrary<Rule> = fc.record({ nr, check: fc.option(check, { nil: null }), action: actionArb });
  const valid = fc
    .tuple(fc.array(rule, { maxLength: opts.maxRules ?? 12 }), actionArb)
    .map(([rules, dflt]) => assemble(abi.name, rules, dflt));
  if (opts.valid ?? true) return valid;
  return fc.tuple(valid, fc.nat({ max: MUTATIONS.length - 1 }), fc.nat({ max: 1000 })).map(([p, m, at]) => {
    const mutate = MUTATIONS[m];
    // Mutations 0-2 need a jump / memory access, which every generated program has (arch check, ST M[0]).
    return m === 2 && !p.some((x) => x.code === OP.LD_MEM) ? MUTATIONS[1](p, at) : mutate(p, at);
  });
}
