// The spec file parser: what it accepts, and errors naming the file and line.
import { describe, expect, it } from 'vitest';
import { SeccheckError } from '../errors.js';
import { actionMatches, argsHold, parseAction, parseSpec } from './spec.js';

const parse = (text: string) => parseSpec(text, '/specs/s.yaml');

function errorOf(text: string): SeccheckError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof SeccheckError) return e;
    throw e;
  }
  throw new Error('expected a SeccheckError');
}

describe('parseSpec', () => {
  it('reads every kind of expectation, with lines', () => {
    const s = parse([
      'filter: f.bpf',
      'format: raw',
      'arches: [x86_64, aarch64]',
      'expect:',
      '  - syscalls: [ptrace, process_vm_readv]',
      '    action: ERRNO(EPERM)',
      '  - syscalls: [ioctl]',
      '    args: {1: 0x5401, 2: {ge: 4}, 3: {mask: 0xff00000000, eq: 0x100000000}, 0: -1}',
      '    action: ALLOW',
      '  - syscalls: [execve]',
      '    action: not ALLOW',
      '  - foreign_arch: KILL_PROCESS',
      '  - x32: deny',
      '  - default: ALLOW',
    ].join('\n'));
    expect(s.filter).toBe('/specs/f.bpf');
    expect(s.format).toBe('raw');
    expect(s.arches.map((a) => a.name)).toEqual(['x86_64', 'aarch64']);
    expect(s.expect.map((e) => [e.kind, e.line])).toEqual([
      ['syscalls', 5], ['syscalls', 7], ['syscalls', 10], ['foreign_arch', 12], ['x32', 13], ['default', 14],
    ]);
    const ioctl = s.expect[1];
    if (ioctl.kind !== 'syscalls') throw new Error('kind');
    expect(ioctl.args).toEqual([
      { arg: 1, conds: [{ kind: 'cmp', op: 'eq', value: 0x5401n }] },
      { arg: 2, conds: [{ kind: 'cmp', op: 'ge', value: 4n }] },
      { arg: 3, conds: [{ kind: 'mask', mask: 0xff00000000n, value: 0x100000000n }] },
      { arg: 0, conds: [{ kind: 'cmp', op: 'eq', value: 0xffffffffffffffffn }] },
    ]);
    expect(argsHold(ioctl.args, [0xffffffffffffffffn, 0x5401n, 4n, 0x1deadbeefn])).toBe(true);
    expect(argsHold(ioctl.args, [0xffffffffffffffffn, 0x100005401n, 4n, 0x1deadbeefn])).toBe(false);
  });

  it('reads JSON (big values as strings too)', () => {
    const s = parseSpec('{"arches": ["x86_64"],\n "expect": [{"syscalls": ["read"], "args": {"0": {"eq": "0xffffffffffffffff"}}, "action": "LOG"}]}', 'j.json');
    expect(s.filter).toBeUndefined();
    const e = s.expect[0];
    expect(e.kind === 'syscalls' && e.args[0].conds).toEqual([{ kind: 'cmp', op: 'eq', value: 0xffffffffffffffffn }]);
    expect(e.line).toBe(2);
  });

  it.each([
    ['an unknown top-level key', 'arches: [x86_64]\nexpect: []\nfilters: x', 3, /unknown key "filters"/],
    ['an unknown arch', 'arches:\n  - x86_64\n  - vax\nexpect: []', 3, /unknown arch "vax"/],
    ['an unknown syscall', 'arches: [x86_64]\nexpect:\n  - syscalls: [getpid]\n    action: ALLOW\n  - syscalls:\n      - fork\n      - nosuchcall\n    action: ALLOW', 7, /unknown syscall "nosuchcall" on x86_64/],
    ['a syscall one arch lacks', 'arches: [x86_64, aarch64]\nexpect:\n  - syscalls: [open]\n    action: ALLOW', 3, /unknown syscall "open" on aarch64/],
    ['an unknown key in an expectation', 'arches: [x86_64]\nexpect:\n  - syscalls: [getpid]\n    acton: ALLOW', 4, /unknown key "acton"/],
    ['an unknown action', 'arches: [x86_64]\nexpect:\n  - default: PERMIT', 3, /unknown action "PERMIT"/],
    ['an unknown errno', 'arches: [x86_64]\nexpect:\n\n  - default: ERRNO(ENOPE)', 4, /unknown errno ENOPE on x86_64/],
    ['an argument index out of range', 'arches: [x86_64]\nexpect:\n  - syscalls: [read]\n    args:\n      6: 1\n    action: ALLOW', 5, /not an argument index/],
    ['an unknown condition', 'arches: [x86_64]\nexpect:\n  - syscalls: [read]\n    args:\n      0: {gte: 1}\n    action: ALLOW', 5, /unknown key "gte"/],
    ['a value over 64 bits', 'arches: [x86_64]\nexpect:\n  - syscalls: [read]\n    args: {0: 0x10000000000000000}\n    action: ALLOW', 4, /does not fit in 64 bits/],
    ['a missing action', 'arches: [x86_64]\nexpect:\n  - syscalls: [read]', 3, /needs "action"/],
    ['missing arches', 'expect: []', 1, /missing key "arches"/],
    ['bad YAML', 'arches: [x86_64\nexpect: []\n', 2, /not valid YAML/],
    ['a duplicate key', 'arches: [x86_64]\nexpect: []\narches: [aarch64]', 3, /not valid YAML/],
  ])('rejects %s with the line', (_what, text, line, pattern) => {
    const e = errorOf(text);
    expect(e.file).toBe('/specs/s.yaml');
    expect(e.place).toBe(line);
    expect(e.problem).toMatch(pattern);
    expect(e.message).toMatch(new RegExp(`^/specs/s\\.yaml:${line}: `));
  });
});

describe('actions', () => {
  it('parses the kernel names, deny and not', () => {
    expect(parseAction('ERRNO(EPERM)')).toEqual({ kind: 'action', action: 'ERRNO', data: 'EPERM' });
    expect(parseAction('TRAP(5)')).toEqual({ kind: 'action', action: 'TRAP', data: 5 });
    expect(parseAction('not deny')).toEqual({ kind: 'not', inner: { kind: 'deny' } });
    expect(parseAction('ALLOW(1)')).toMatch(/takes no data/);
    expect(parseAction('ERRNO(70000)')).toMatch(/16 bits/);
  });

  it('matches return values', () => {
    const m = (t: string, raw: number, arch = 'x86_64'): boolean => {
      const p = parseAction(t);
      if (typeof p === 'string') throw new Error(p);
      return actionMatches(p, raw, arch);
    };
    expect(m('ERRNO(EPERM)', 0x00050001)).toBe(true);
    expect(m('ERRNO(1)', 0x00050002)).toBe(false);
    expect(m('ERRNO', 0x00050026)).toBe(true);
    expect(m('TRAP', 0x00030007)).toBe(true);
    expect(m('TRAP(5)', 0x00030007)).toBe(false);
    expect(m('deny', 0x7ffc0000)).toBe(false); // LOG runs the syscall
    expect(m('deny', 0x7ff00000)).toBe(true); // TRACE: anything but ALLOW/LOG
    expect(m('not ALLOW', 0x7fff0000)).toBe(false);
    expect(m('KILL_PROCESS', 0x12340000)).toBe(true); // an unknown action value is what the kernel does with it: KILL_PROCESS
    expect(m('KILL_THREAD', 0)).toBe(true);
    expect(m('ERRNO(ENOSYS)', 0x00050000 | 89, 'mips')).toBe(true);
  });
});
