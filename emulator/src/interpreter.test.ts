import { describe, expect, it } from 'vitest';
import { insn, OP } from './bpf.js';
import { BpfEmulator, IllegalInstructionError, ProgramRejectedError } from './interpreter.js';
import { seccompData } from './seccomp_data.js';

// LD [0]; JEQ #39 jt 0 jf 2; LD [16]; ST M[1]; LDX M[1]... a small program touching every register.
const program = [
  insn(OP.LD_W_ABS, 0, 0, 0), // 0
  insn(OP.JMP_JEQ_K, 0, 4, 39), // 1 -> 2 / 6
  insn(OP.LD_W_ABS, 0, 0, 16), // 2 args[0] lo
  insn(OP.ST, 0, 0, 3), // 3
  insn(OP.LDX_MEM, 0, 0, 3), // 4
  insn(OP.RET_K, 0, 0, 0x00050001), // 5
  insn(OP.RET_K, 0, 0, 0x7fff0000), // 6
];
const getpid = seccompData(39, 0xc000003e, [0x1_0000_0007n]);

describe('BpfEmulator (Unicorn-style API)', () => {
  it('exposes A, X, pc and M after each step()', () => {
    const emu = new BpfEmulator(program);
    emu.reset(getpid);
    expect(emu.step()).toBeUndefined();
    expect([emu.A, emu.pc]).toEqual([39, 1]);
    emu.step();
    expect(emu.pc).toBe(2);
    emu.step();
    emu.step();
    expect(emu.M[3]).toBe(7);
    emu.step();
    expect(emu.X).toBe(7);
    expect(emu.step()).toBe(0x00050001);
    expect(emu.finished).toBe(true);
    expect(emu.returnValue).toBe(0x00050001);
  });

  it('calls code hooks before every instruction and load hooks after every load', () => {
    const emu = new BpfEmulator(program);
    const pcs: number[] = [];
    const loads: string[] = [];
    emu.hookAdd('code', (_e, pc) => pcs.push(pc));
    emu.hookAdd('load', (_e, l) => loads.push(l.source === 'data' ? `data[${l.offset}]=${l.value}` : `M[${l.index}]=${l.value}`));
    expect(emu.run(getpid)).toBe(0x00050001);
    expect(pcs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(loads).toEqual(['data[0]=39', 'data[16]=7', 'M[3]=7']);
  });

  it('removes hooks with hookDel', () => {
    const emu = new BpfEmulator(program);
    let n = 0;
    const h = emu.hookAdd('code', () => n++);
    emu.run(getpid);
    emu.hookDel(h);
    emu.run(getpid);
    expect(n).toBe(6);
  });

  it('stops at the instruction budget and resumes from there', () => {
    const emu = new BpfEmulator(program);
    const s = emu.start(getpid, { budget: 3 });
    expect(s).toEqual({ status: 'budget', pc: 3, steps: 3 });
    expect(emu.resume()).toEqual({ status: 'returned', ret: 0x00050001, steps: 6 });
  });

  it('stops when a hook calls emuStop(), with registers readable and writable', () => {
    const emu = new BpfEmulator(program);
    emu.hookAdd('code', (e, pc) => {
      if (pc === 1) e.emuStop();
    });
    const s = emu.start(getpid);
    expect(s.status).toBe('stopped');
    expect(emu.pc).toBe(2); // the instruction at 1 ran; the stop takes effect before 2
    emu.regWrite('pc', 6);
    expect(emu.resume({})).toMatchObject({ status: 'returned', ret: 0x7fff0000 });
  });

  it('refuses a program the kernel rejects, naming the rule', () => {
    expect(() => new BpfEmulator([insn(OP.LD_MEM, 0, 0, 0), insn(OP.RET_A, 0, 0, 0)])).toThrow(ProgramRejectedError);
    expect(() => new BpfEmulator([insn(OP.LD_MEM, 0, 0, 0), insn(OP.RET_A, 0, 0, 0)])).toThrow(/check_load_and_stores/);
  });

  it('raises IllegalInstructionError for classic-only opcodes when checks are off', () => {
    const emu = new BpfEmulator([insn(OP.ALU_MOD_K, 0, 0, 3), insn(OP.RET_A, 0, 0, 0)], { check: false });
    expect(() => emu.run(getpid)).toThrow(IllegalInstructionError);
  });

  it('masks X shift counts to 5 bits and returns 0 on DIV by X == 0 (SEMANTICS 3.2)', () => {
    const shl = new BpfEmulator([insn(OP.LD_IMM, 0, 0, 1), insn(OP.LDX_IMM, 0, 0, 33), insn(OP.ALU_LSH_X, 0, 0, 0), insn(OP.RET_A, 0, 0, 0)]);
    expect(shl.run(getpid)).toBe(2);
    const div = new BpfEmulator([insn(OP.LD_IMM, 0, 0, 9), insn(OP.ALU_DIV_X, 0, 0, 0), insn(OP.RET_K, 0, 0, 0x0005000b)]);
    expect(div.run(getpid)).toBe(0);
  });
});

describe('BpfEmulator on unchecked programs', () => {
  it('raises IllegalInstructionError for M[16] and for a jump past the end', () => {
    const mem = new BpfEmulator([insn(OP.ST, 0, 0, 16), insn(OP.RET_A, 0, 0, 0)], { check: false });
    expect(() => mem.run(getpid)).toThrow(/illegal instruction at 0: scratch memory index M\[16\]/);
    const jump = new BpfEmulator([insn(OP.JMP_JA, 0, 0, 5), insn(OP.RET_A, 0, 0, 0)], { check: false });
    expect(() => jump.run(getpid)).toThrow(/jump to 6 is past the end/);
  });
});
