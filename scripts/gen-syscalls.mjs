#!/usr/bin/env node
// Generate src/arch/syscalls.generated.ts and src/arch/errno.generated.ts from
// the kernel's UAPI headers as Debian packages them: linux-libc-dev for the
// host and the linux-libc-dev-<debian-arch>-cross packages for the others.
//
// Each table is read the way a C compiler for that ABI would read it: start
// at one header, follow #include, honour #if/#ifdef with the macros the ABI's
// compiler predefines, and evaluate every __NR_* (and arm's __ARM_NR_*) macro
// at the end. Numbers are kept exactly as the macros give them, which is what
// seccomp_data.nr holds: mips numbers include their ABI's base (o32 4000,
// n64 5000, n32 6000), x32 numbers include __X32_SYSCALL_BIT (0x40000000),
// arm's private syscalls sit at 0x0f0000 + n. The package and version owning
// the headers read (dpkg-query) and the kernel version they come from
// (linux/version.h) are written into the generated files.
//
// Install the headers (Debian 12 has no loong64 cross headers):
//   apt-get install linux-libc-dev-{amd64,i386,x32,arm64,armhf,armel,riscv64,s390x,ppc64el,ppc64,powerpc,mips,mipsel,mips64,mips64el,mipsn32,mipsn32el,m68k,hppa,sh4}-cross
// then `npm run gen:syscalls`, read the diff, commit the generated files. An
// arch whose headers are missing is skipped (and listed); the host's
// linux-libc-dev serves x86_64, x86 and x32 when their cross packages are absent.
//
// `node scripts/gen-syscalls.mjs --check` writes nothing: it exits 0 if the
// committed files are what this machine would generate, 1 if they are stale,
// and 3 if this machine lacks a package (at the recorded version) that the
// committed files were generated from, so it cannot tell.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = { syscalls: 'src/arch/syscalls.generated.ts', errno: 'src/arch/errno.generated.ts' };

/** The host's own headers (linux-libc-dev:amd64). */
const HOST = { dirs: ['/usr/include/x86_64-linux-gnu', '/usr/include'], package: 'linux-libc-dev' };
/** A cross package's include root: /usr/<triplet>/include, from linux-libc-dev-<debian arch>-cross. */
const cross = (triplet, debArch) => ({ dirs: [`/usr/${triplet}/include`], package: `linux-libc-dev-${debArch}-cross` });
const H = {
  amd64: cross('x86_64-linux-gnu', 'amd64'), i386: cross('i686-linux-gnu', 'i386'), x32: cross('x86_64-linux-gnux32', 'x32'),
  armhf: cross('arm-linux-gnueabihf', 'armhf'), armel: cross('arm-linux-gnueabi', 'armel'), arm64: cross('aarch64-linux-gnu', 'arm64'),
  loong64: cross('loongarch64-linux-gnu', 'loong64'), m68k: cross('m68k-linux-gnu', 'm68k'),
  mips: cross('mips-linux-gnu', 'mips'), mipsel: cross('mipsel-linux-gnu', 'mipsel'),
  mips64: cross('mips64-linux-gnuabi64', 'mips64'), mips64el: cross('mips64el-linux-gnuabi64', 'mips64el'),
  mipsn32: cross('mips64-linux-gnuabin32', 'mipsn32'), mipsn32el: cross('mips64el-linux-gnuabin32', 'mipsn32el'),
  hppa: cross('hppa-linux-gnu', 'hppa'), powerpc: cross('powerpc-linux-gnu', 'powerpc'),
  ppc64: cross('powerpc64-linux-gnu', 'ppc64'), ppc64el: cross('powerpc64le-linux-gnu', 'ppc64el'),
  s390x: cross('s390x-linux-gnu', 's390x'), riscv64: cross('riscv64-linux-gnu', 'riscv64'), sh4: cross('sh4-linux-gnu', 'sh4'),
};
/** Every mips package carries the o32, n32 and n64 headers alike. */
const MIPS = [H.mips, H.mipsel, H.mips64, H.mips64el, H.mipsn32, H.mipsn32el];
const PPC = [H.powerpc, H.ppc64, H.ppc64el];
const mipsFirst = (h) => [h, ...MIPS.filter((m) => m !== h)];
const ppcFirst = (h) => [h, ...PPC.filter((p) => p !== h)];

/** What a compiler for an ABI predefines, as far as the UAPI headers look at it. */
function cc(bits, endian, arch) {
  const d = {
    __linux__: '1', __CHAR_BIT__: '8', __SIZEOF_LONG__: String(bits / 8), __SIZEOF_POINTER__: String(bits / 8),
    __ORDER_LITTLE_ENDIAN__: '1234', __ORDER_BIG_ENDIAN__: '4321',
    __BYTE_ORDER__: endian === 'little' ? '__ORDER_LITTLE_ENDIAN__' : '__ORDER_BIG_ENDIAN__',
  };
  if (bits === 64) Object.assign(d, { __LP64__: '1', _LP64: '1' });
  return Object.assign(d, arch);
}
const MIPS_SIM = (sim, bits, endian) => cc(bits, endian, {
  __mips__: '1', _ABIO32: '1', _ABIN32: '2', _ABI64: '3', _MIPS_SIM: sim,
  _MIPS_SZLONG: String(bits), _MIPS_SZPTR: String(bits), ...(sim === '_ABIO32' ? {} : { __mips64: '1' }),
  ...(endian === 'big' ? { __MIPSEB__: '1', MIPSEB: '1' } : { __MIPSEL__: '1', MIPSEL: '1' }),
});

/**
 * The 23 ABIs libseccomp names (the emulator's ARCHES, in its order): where
 * their headers may be (first found wins), what the compiler predefines, and
 * which errno.h family the kernel gives them (arch/<family>/include/uapi/asm/errno.h;
 * "generic" = asm-generic/errno.h). Big- and little-endian variants of one ABI
 * share numbers, so the other byte order's package serves when one is missing.
 */
const ABIS = [
  { arch: 'x86', headers: [H.i386, H.amd64, HOST], defines: cc(32, 'little', { __i386__: '1', __i386: '1', i386: '1', __ILP32__: '1', _ILP32: '1' }), errno: 'generic' },
  { arch: 'x86_64', headers: [H.amd64, HOST], defines: cc(64, 'little', { __x86_64__: '1', __x86_64: '1', __amd64__: '1' }), errno: 'generic' },
  { arch: 'x32', headers: [H.x32, H.amd64, HOST], defines: cc(32, 'little', { __x86_64__: '1', __x86_64: '1', __ILP32__: '1', _ILP32: '1' }), errno: 'generic' },
  { arch: 'arm', headers: [H.armhf, H.armel], defines: cc(32, 'little', { __arm__: '1', __ARM_EABI__: '1', __ARMEL__: '1' }), errno: 'generic', prefixes: ['__NR_', '__ARM_NR_'] },
  { arch: 'aarch64', headers: [H.arm64], defines: cc(64, 'little', { __aarch64__: '1', __AARCH64EL__: '1' }), errno: 'generic' },
  { arch: 'loongarch64', headers: [H.loong64], defines: cc(64, 'little', { __loongarch__: '1', __loongarch64: '1', __loongarch_grlen: '64' }), errno: 'generic' },
  { arch: 'm68k', headers: [H.m68k], defines: cc(32, 'big', { __m68k__: '1', __mc68000__: '1' }), errno: 'generic' },
  { arch: 'mips', headers: mipsFirst(H.mips), defines: MIPS_SIM('_ABIO32', 32, 'big'), errno: 'mips' },
  { arch: 'mipsel', headers: mipsFirst(H.mipsel), defines: MIPS_SIM('_ABIO32', 32, 'little'), errno: 'mips' },
  { arch: 'mips64', headers: mipsFirst(H.mips64), defines: MIPS_SIM('_ABI64', 64, 'big'), errno: 'mips' },
  { arch: 'mipsel64', headers: mipsFirst(H.mips64el), defines: MIPS_SIM('_ABI64', 64, 'little'), errno: 'mips' },
  { arch: 'mips64n32', headers: mipsFirst(H.mipsn32), defines: MIPS_SIM('_ABIN32', 32, 'big'), errno: 'mips' },
  { arch: 'mipsel64n32', headers: mipsFirst(H.mipsn32el), defines: MIPS_SIM('_ABIN32', 32, 'little'), errno: 'mips' },
  { arch: 'parisc', headers: [H.hppa], defines: cc(32, 'big', { __hppa__: '1', __hppa: '1' }), errno: 'parisc' },
  { arch: 'parisc64', headers: [H.hppa], defines: cc(64, 'big', { __hppa__: '1', __hppa: '1' }), errno: 'parisc' },
  { arch: 'ppc', headers: ppcFirst(H.powerpc), defines: cc(32, 'big', { __powerpc__: '1', __PPC__: '1', __BIG_ENDIAN__: '1' }), errno: 'powerpc' },
  { arch: 'ppc64', headers: ppcFirst(H.ppc64), defines: cc(64, 'big', { __powerpc__: '1', __powerpc64__: '1', __PPC__: '1', __PPC64__: '1', __BIG_ENDIAN__: '1' }), errno: 'powerpc' },
  { arch: 'ppc64le', headers: ppcFirst(H.ppc64el), defines: cc(64, 'little', { __powerpc__: '1', __powerpc64__: '1', __PPC__: '1', __PPC64__: '1', __LITTLE_ENDIAN__: '1' }), errno: 'powerpc' },
  { arch: 's390', headers: [H.s390x], defines: cc(32, 'big', { __s390__: '1' }), errno: 'generic' },
  { arch: 's390x', headers: [H.s390x], defines: cc(64, 'big', { __s390__: '1', __s390x__: '1' }), errno: 'generic' },
  { arch: 'riscv64', headers: [H.riscv64], defines: cc(64, 'little', { __riscv: '1', __riscv_xlen: '64' }), errno: 'generic' },
  { arch: 'sh', headers: [H.sh4], defines: cc(32, 'little', { __sh__: '1', __SH4__: '1', __LITTLE_ENDIAN__: '1' }), errno: 'generic' },
  { arch: 'sheb', headers: [H.sh4], defines: cc(32, 'big', { __sh__: '1', __SH4__: '1', __BIG_ENDIAN__: '1' }), errno: 'generic' },
];

/** __NR_* / __ARM_NR_* macros that are not syscalls (bases, masks and counts). */
const NOT_SYSCALLS = /^(syscalls|Linux|Linux_syscalls|O32_Linux|O32_Linux_syscalls|N32_Linux|N32_Linux_syscalls|64_Linux|64_Linux_syscalls|SYSCALL_BASE|OABI_SYSCALL_BASE|SYSCALL_MASK|BASE|arch_specific_syscall)$/;

// ---------------------------------------------------------------------------
// A small C preprocessor: object-like macros, #include, conditionals.

class Preprocessor {
  constructor(includeDirs, defines) {
    this.includeDirs = includeDirs;
    /** name -> body text (object-like macros only; function-like ones map to null). */
    this.macros = new Map(Object.entries(defines));
    /** Object-like macros in definition order, with the file that defined them. */
    this.order = [];
    this.filesRead = [];
  }

  resolve(name, fromDir, quoted) {
    const dirs = quoted ? [fromDir, ...this.includeDirs] : this.includeDirs;
    for (const d of dirs) {
      const p = isAbsolute(name) ? name : join(d, name);
      if (existsSync(p)) return p;
    }
    throw new Error(`cannot find include <${name}> in ${dirs.join(', ')}`);
  }

  include(name, fromDir = this.includeDirs[0], quoted = false) {
    const path = this.resolve(name, fromDir, quoted);
    this.filesRead.push(path);
    const text = readFileSync(path, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
      .replace(/\/\/.*$/gm, '')
      .replace(/\\\n/g, ' ');
    // Stack of {active, taken, parentActive} for #if nesting.
    const stack = [];
    const active = () => stack.every((s) => s.active);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*#\s*(\w+)\s*(.*?)\s*$/.exec(lines[i]);
      if (!m) continue;
      const [, directive, rest] = m;
      const where = `${path}:${i + 1}`;
      switch (directive) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          let cond = false;
          if (active()) {
            if (directive === 'ifdef') cond = this.macros.has(rest.split(/\s/)[0]);
            else if (directive === 'ifndef') cond = !this.macros.has(rest.split(/\s/)[0]);
            else cond = this.evalCondition(rest, where);
          }
          stack.push({ active: cond, taken: cond });
          break;
        }
        case 'elif': {
          const top = stack.at(-1);
          if (!top) throw new Error(`${where}: #elif without #if`);
          top.active = false;
          const parentActive = stack.slice(0, -1).every((s) => s.active);
          if (!top.taken && parentActive && this.evalCondition(rest, where)) top.active = top.taken = true;
          break;
        }
        case 'else': {
          const top = stack.at(-1);
          if (!top) throw new Error(`${where}: #else without #if`);
          top.active = !top.taken;
          top.taken = true;
          break;
        }
        case 'endif':
          if (!stack.pop()) throw new Error(`${where}: #endif without #if`);
          break;
        default:
          if (!active()) break;
          if (directive === 'define') this.define(rest, path);
          else if (directive === 'undef') this.macros.delete(rest.trim());
          else if (directive === 'include') {
            const inc = /^([<"])([^>"]+)[>"]/.exec(rest);
            if (!inc) throw new Error(`${where}: cannot read #include ${rest}`);
            this.include(inc[2], dirname(path), inc[1] === '"');
          } else if (directive === 'error') throw new Error(`${where}: #error ${rest}`);
        // #pragma, #warning, #line: nothing to do.
      }
    }
    if (stack.length) throw new Error(`${path}: unterminated #if`);
  }

  define(rest, file) {
    const m = /^(\w+)(\()?\s*(.*)$/.exec(rest);
    if (!m) return;
    const [, name, paren, body] = m;
    if (paren) {
      this.macros.set(name, null); // function-like (e.g. __SYSCALL): never a number
      return;
    }
    this.macros.set(name, body);
    this.order.push({ name, file });
  }

  /** Expand and evaluate an expression; `undefinedIsZero` gives #if semantics. */
  evaluate(expr, undefinedIsZero, seen = new Set()) {
    const tokens = this.expand(tokenize(expr), undefinedIsZero, seen);
    return new ExprParser(tokens).parseAll();
  }

  evalCondition(expr, where) {
    try {
      return this.evaluate(expr, true) !== 0n;
    } catch (e) {
      throw new Error(`${where}: #if ${expr}: ${e.message}`);
    }
  }

  expand(tokens, undefinedIsZero, seen) {
    const out = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type !== 'id') {
        out.push(t);
        continue;
      }
      if (t.value === 'defined') {
        let name;
        if (tokens[i + 1]?.value === '(') {
          name = tokens[i + 2]?.value;
          i += 3;
        } else {
          name = tokens[i + 1]?.value;
          i += 1;
        }
        out.push({ type: 'num', value: this.macros.has(name) ? 1n : 0n });
        continue;
      }
      const body = this.macros.get(t.value);
      if (body === undefined || body === null || seen.has(t.value)) {
        if (undefinedIsZero) out.push({ type: 'num', value: 0n });
        else throw new Error(`${t.value} is not a number`);
        continue;
      }
      const inner = new Set(seen).add(t.value);
      out.push({ type: 'punct', value: '(' }, ...this.expand(tokenize(body), undefinedIsZero, inner), { type: 'punct', value: ')' });
    }
    return out;
  }
}

function tokenize(s) {
  const out = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%()<>!~&|^?:]))/gy;
  let m;
  let pos = 0;
  while (pos < s.length && (m = re.exec(s))) {
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ type: 'num', value: BigInt(m[1].startsWith('0') && !/^0[xX]/.test(m[1]) && m[1] !== '0' ? '0o' + m[1].slice(1) : m[1]) });
    else if (m[2] !== undefined) out.push({ type: 'id', value: m[2] });
    else out.push({ type: 'punct', value: m[3] });
  }
  if (s.slice(pos).trim() !== '') throw new Error(`cannot read "${s.slice(pos).trim()}"`);
  return out;
}

/** Precedence-climbing evaluator over C's integer operators (values as BigInt). */
class ExprParser {
  static BINARY = {
    '*': [10, (a, b) => a * b], '/': [10, (a, b) => a / b], '%': [10, (a, b) => a % b],
    '+': [9, (a, b) => a + b], '-': [9, (a, b) => a - b],
    '<<': [8, (a, b) => a << b], '>>': [8, (a, b) => a >> b],
    '<': [7, (a, b) => BigInt(a < b)], '<=': [7, (a, b) => BigInt(a <= b)],
    '>': [7, (a, b) => BigInt(a > b)], '>=': [7, (a, b) => BigInt(a >= b)],
    '==': [6, (a, b) => BigInt(a === b)], '!=': [6, (a, b) => BigInt(a !== b)],
    '&': [5, (a, b) => a & b], '^': [4, (a, b) => a ^ b], '|': [3, (a, b) => a | b],
    '&&': [2, (a, b) => BigInt(a !== 0n && b !== 0n)], '||': [1, (a, b) => BigInt(a !== 0n || b !== 0n)],
  };

  constructor(tokens) {
    this.t = tokens;
    this.i = 0;
  }

  parseAll() {
    const v = this.ternary();
    if (this.i !== this.t.length) throw new Error(`unexpected "${this.t[this.i].value}"`);
    return v;
  }

  ternary() {
    const c = this.binary(1);
    if (this.t[this.i]?.value !== '?') return c;
    this.i++;
    const a = this.ternary();
    if (this.t[this.i++]?.value !== ':') throw new Error('expected ":"');
    const b = this.ternary();
    return c !== 0n ? a : b;
  }

  binary(minPrec) {
    let left = this.unary();
    for (;;) {
      const op = this.t[this.i];
      const entry = op?.type === 'punct' ? ExprParser.BINARY[op.value] : undefined;
      if (!entry || entry[0] < minPrec) return left;
      this.i++;
      const right = this.binary(entry[0] + 1);
      left = entry[1](left, right);
    }
  }

  unary() {
    const tok = this.t[this.i++];
    if (!tok) throw new Error('unexpected end of expression');
    if (tok.type === 'num') return tok.value;
    switch (tok.value) {
      case '(': {
        const v = this.ternary();
        if (this.t[this.i++]?.value !== ')') throw new Error('expected ")"');
        return v;
      }
      case '-': return -this.unary();
      case '+': return this.unary();
      case '!': return BigInt(this.unary() === 0n);
      case '~': return ~this.unary();
      default: throw new Error(`unexpected "${tok.value}"`);
    }
  }
}

// ---------------------------------------------------------------------------

/** Every macro with one of `prefixes` whose value is a number, in definition order (first definition's place). */
function readMacros(dirs, defines, header, prefixes, exclude) {
  const pp = new Preprocessor(dirs, defines);
  pp.include(header);
  const out = new Map();
  for (const { name } of pp.order) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const short = name.slice(prefix.length);
    const body = pp.macros.get(name);
    if (out.has(short) || exclude?.test(short) || body == null || body.trim() === '') continue;
    const v = pp.evaluate(name, false);
    if (v < 0n || v > 0xffffffffn) throw new Error(`${name} = ${v} is not a u32`);
    out.set(short, Number(v));
  }
  return { values: out, files: [...new Set(pp.filesRead)] };
}

/** The kernel release the headers were exported from (linux/version.h). */
function kernelVersion(dirs) {
  const pp = new Preprocessor(dirs, {});
  pp.include('linux/version.h');
  const code = Number(pp.evaluate('LINUX_VERSION_CODE', false));
  const part = (name, fallback) => (pp.macros.get(name) != null ? Number(pp.evaluate(name, false)) : fallback);
  // LINUX_VERSION_CODE clamps the sublevel to 255; LINUX_VERSION_SUBLEVEL (5.x+) does not.
  const release = [part('LINUX_VERSION_MAJOR', code >> 16), part('LINUX_VERSION_PATCHLEVEL', (code >> 8) & 255), part('LINUX_VERSION_SUBLEVEL', code & 255)].join('.');
  return { release, code, file: pp.filesRead[0] };
}

/**
 * Record on each table the Debian package (as dpkg-query names it) and version
 * owning all the files it read; one dpkg-query run for all tables.
 */
function attachPackages(tables) {
  const files = [...new Set(tables.flatMap((t) => t.read))];
  if (files.length === 0) return tables;
  const owner = new Map();
  for (const line of execFileSync('dpkg-query', ['-S', ...files], { encoding: 'utf8' }).split('\n')) {
    const m = /^(?!diversion )(.+?): (\/.*)$/.exec(line);
    if (m) owner.set(m[2], m[1].split(',')[0].trim());
  }
  const packages = [...new Set(owner.values())];
  const version = new Map(execFileSync('dpkg-query', ['-W', '-f', '${binary:Package} ${Version}\n', ...packages], { encoding: 'utf8' })
    .trim().split('\n').map((l) => l.split(' ')));
  for (const t of tables) {
    const owners = new Set(t.read.map((f) => owner.get(f)));
    if (owners.size !== 1 || owners.has(undefined)) throw new Error(`headers ${t.read.join(', ')} come from ${[...owners].join(', ')}`);
    t.package = [...owners][0];
    t.version = version.get(t.package) ?? version.get(t.package.replace(/:.*$/, ''));
    if (t.version === undefined) throw new Error(`dpkg-query -W knows no version of ${t.package}`);
  }
  return tables;
}

/** Read one ABI's `header` from the first of its header sets that is installed; undefined if none is. */
function readAbi(abi, header, prefixes, exclude) {
  const h = abi.headers.find((c) => existsSync(join(c.dirs[0], 'asm', 'unistd.h')));
  if (h === undefined) return undefined;
  const { values, files } = readMacros(h.dirs, abi.defines, header, prefixes, exclude);
  if (values.size === 0) throw new Error(`${abi.arch}: no ${prefixes.join('/')} macros found from ${header}`);
  const kernel = kernelVersion(h.dirs);
  return { values, files, kernel, read: [...files, kernel.file] };
}

/** A table's `source: {...}` property, as TS lines. */
const sourceLines = (t, indent) => [
  `${indent}source: { package: ${JSON.stringify(t.package)}, version: ${JSON.stringify(t.version)}, kernel: ${JSON.stringify(t.kernel.release)},`,
  `${indent}  headers: ${JSON.stringify(t.files)} },`,
];
const sourceLine = (t) => `${t.package} ${t.version} (Linux ${t.kernel.release}, LINUX_VERSION_CODE ${t.kernel.code})`;
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
const num = (v) => (v >= 0x10000 ? '0x' + v.toString(16) : String(v));
const tried = (abi) => [...new Set(abi.headers.map((h) => h.package))].join(' or ');

/** `name: value` entries, several to a line. */
function wrap(entries, indent, width = 110) {
  const lines = [];
  let line = '';
  for (const e of entries) {
    if (line !== '' && indent.length + line.length + 1 + e.length + 1 > width) {
      lines.push(indent + line);
      line = '';
    }
    line += (line === '' ? '' : ' ') + e + ',';
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** Names as comment lines, comma-separated, with a full stop at the end. */
function commentList(names) {
  const lines = wrap(names, '//   ');
  lines[lines.length - 1] = lines[lines.length - 1].replace(/,$/, '.');
  return lines;
}

function generateSyscalls() {
  const tables = [];
  const missing = [];
  for (const abi of ABIS) {
    const t = readAbi(abi, 'asm/unistd.h', abi.prefixes ?? ['__NR_'], NOT_SYSCALLS);
    if (t === undefined) missing.push(abi);
    else tables.push({ abi, ...t });
  }
  attachPackages(tables);
  for (const t of tables) console.log(`${t.abi.arch}: ${t.values.size} syscalls from ${sourceLine(t)}`);
  for (const abi of missing) console.log(`${abi.arch}: SKIPPED, no headers (install ${tried(abi)})`);
  // One numbers object per distinct table (big- and little-endian ABIs share theirs).
  const shared = new Map();
  for (const t of tables) {
    const sorted = [...t.values].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    const text = sorted.map(([name, v]) => `${key(name)}: ${num(v)}`);
    const id = text.join(',');
    if (!shared.has(id)) shared.set(id, { constName: `NR_${t.abi.arch}`, text });
    t.constName = shared.get(id).constName;
  }
  const lines = [
    '// GENERATED by scripts/gen-syscalls.mjs (npm run gen:syscalls). Do not edit.',
    '// Syscall numbers as the __NR_* macros of the kernel UAPI headers give them, which is',
    '// what seccomp_data.nr holds: mips numbers include their ABI base (o32 4000, n64 5000,',
    '// n32 6000), x32 numbers __X32_SYSCALL_BIT (0x40000000); arm includes its private',
    '// __ARM_NR_* syscalls (0x0f0000 + n) under libseccomp\'s names (breakpoint, cacheflush, ...).',
    '// Sources (Debian package, version, kernel release):',
    ...tables.map((t) => `//   ${t.abi.arch}: ${sourceLine(t)}`),
    ...(missing.length === 0 ? [] : [
      '// No table, for want of headers when this was generated:',
      ...missing.map((abi) => `//   ${abi.arch} (needs ${tried(abi)})`),
    ]),
    '',
    'export interface SyscallTableSource {',
    '  /** Debian package (as dpkg-query names it) that installed the headers. */',
    '  readonly package: string;',
    '  readonly version: string;',
    '  /** Kernel release the headers come from (linux/version.h). */',
    '  readonly kernel: string;',
    '  /** Headers read, in order, starting from the one a program includes. */',
    '  readonly headers: readonly string[];',
    '}',
    '',
    'export interface SyscallTable {',
    '  readonly source: SyscallTableSource;',
    '  /** Syscall name (without __NR_) to number, by number then name. */',
    '  readonly numbers: Readonly<Record<string, number>>;',
    '}',
    '',
  ];
  for (const { constName, text } of shared.values()) {
    lines.push(`const ${constName}: Readonly<Record<string, number>> = {`, ...wrap(text, '  '), '};', '');
  }
  lines.push('/** Tables by libseccomp arch name, in libseccomp\'s order. */');
  lines.push('export const SYSCALL_TABLES: Readonly<Record<string, SyscallTable>> = {');
  for (const t of tables) {
    lines.push(`  ${key(t.abi.arch)}: {`);
    lines.push(...sourceLines(t, '    '));
    lines.push(`    numbers: ${t.constName},`);
    lines.push('  },');
  }
  lines.push('};', '');
  return lines.join('\n');
}

function generateErrno() {
  /** family -> the table read first (by ABI order); every other ABI of the family must agree. */
  const families = new Map();
  const readFrom = [];
  const unread = [];
  for (const abi of ABIS) {
    const t = readAbi(abi, 'asm/errno.h', ['E'], null);
    if (t === undefined) {
      unread.push(abi);
      continue;
    }
    readFrom.push(abi);
    const first = families.get(abi.errno);
    if (first === undefined) families.set(abi.errno, { ...t, arch: abi.arch });
    else if (JSON.stringify([...first.values]) !== JSON.stringify([...t.values])) {
      throw new Error(`errno: ${abi.arch}'s asm/errno.h differs from ${first.arch}'s, though both are "${abi.errno}"`);
    }
  }
  attachPackages([...families.values()]);
  const generic = families.get('generic');
  for (const [family, t] of families) {
    if (family !== 'generic' && generic && JSON.stringify([...t.values]) === JSON.stringify([...generic.values])) {
      throw new Error(`errno: "${family}" (read for ${t.arch}) is the generic table; fix ABIS`);
    }
    console.log(`errno ${family}: ${t.values.size} names from ${sourceLine(t)}`);
  }
  for (const abi of unread) console.log(`errno: ${abi.arch}: no headers; "${abi.errno}" as the kernel tree gives it`);
  const lines = [
    '// GENERATED by scripts/gen-syscalls.mjs (npm run gen:syscalls). Do not edit.',
    '// errno names and numbers per errno.h family. Most arches use asm-generic/errno.h;',
    '// mips and parisc have their own, powerpc moves EDEADLOCK to 58. (alpha and sparc',
    '// have their own too, but libseccomp names neither.) Sources:',
    ...[...families].map(([family, t]) => `//   ${family} (read for ${t.arch}): ${sourceLine(t)}`),
    "// Each arch's family was checked against its own asm/errno.h for:",
    ...commentList(readFrom.map((a) => a.arch)),
    ...(unread.length === 0 ? [] : [
      '// Not checked, for want of headers (family as the kernel tree gives it):',
      ...commentList(unread.map((a) => a.arch)),
    ]),
    '// Numbers are in header order: the first name of a number is its canonical one',
    '// (aliases such as EWOULDBLOCK and EDEADLOCK come after it).',
    '',
    "import type { SyscallTableSource } from './syscalls.generated.js';",
    '',
    'export interface ErrnoTable {',
    '  readonly source: SyscallTableSource;',
    '  readonly numbers: Readonly<Record<string, number>>;',
    '}',
    '',
    '/** errno tables by family: "generic" (asm-generic) or the kernel arch directory that has its own. */',
    'export const ERRNO_TABLES: Readonly<Record<string, ErrnoTable>> = {',
  ];
  for (const [family, t] of families) {
    lines.push(`  ${key(family)}: {`);
    lines.push(...sourceLines(t, '    '));
    lines.push('    numbers: {', ...wrap([...t.values].map(([name, v]) => `E${name}: ${v}`), '      '), '    },');
    lines.push('  },');
  }
  lines.push('};', '', '/** The errno family of each libseccomp arch. */');
  lines.push('export const ERRNO_FAMILY_OF_ARCH: Readonly<Record<string, string>> = {');
  lines.push(...wrap(ABIS.map((abi) => `${key(abi.arch)}: ${JSON.stringify(abi.errno)}`), '  '));
  lines.push('};', '');
  return lines.join('\n');
}

/** Each "package version" pair a generated file records. */
function recordedSources(text) {
  return new Set([...text.matchAll(/package: "([^"]+)", version: "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`));
}

const check = process.argv.includes('--check');
let generated;
try {
  generated = { [OUTPUTS.syscalls]: generateSyscalls(), [OUTPUTS.errno]: generateErrno() };
} catch (e) {
  if (check && e.code === 'ENOENT') {
    console.log(`cannot check: ${e.message} (dpkg-query is needed)`);
    process.exit(3);
  }
  throw e;
}
if (!check) {
  for (const [file, text] of Object.entries(generated)) writeFileSync(join(ROOT, file), text);
  console.log(`wrote ${Object.keys(generated).join(', ')}`);
} else {
  let stale = false;
  let unknown = false;
  for (const [file, text] of Object.entries(generated)) {
    const committed = readFileSync(join(ROOT, file), 'utf8');
    const here = recordedSources(text);
    const absent = [...recordedSources(committed)].filter((s) => !here.has(s));
    if (absent.length > 0) {
      console.log(`cannot check ${file}: it was generated from ${absent.join(', ')}, which this machine does not have`);
      unknown = true;
    } else if (committed !== text) {
      console.log(`${file} is stale: run npm run gen:syscalls`);
      stale = true;
    } else {
      console.log(`${file} is up to date`);
    }
  }
  process.exit(stale ? 1 : unknown ? 3 : 0);
}
