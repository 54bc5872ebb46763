#!/usr/bin/env node
// Generate src/arch/syscalls.generated.ts and src/arch/errno.generated.ts from
// the kernel's UAPI headers as Debian packages them (linux-libc-dev, and later
// the linux-libc-dev-<arch>-cross packages).
//
// Each table is read the way a C compiler for that ABI would read it: start
// at one header, follow #include, honour #if/#ifdef with the ABI's predefined
// macros, and evaluate every __NR_* macro at the end. The package and version
// that own the headers actually read are asked from dpkg and written into the
// generated files.
//
// To add an ABI: install its cross headers (e.g. `apt-get install
// linux-libc-dev-arm64-cross`) and add an entry to SYSCALL_TABLES below, e.g.
//   { arch: 'aarch64', header: 'asm/unistd.h',
//     includeDirs: ['/usr/aarch64-linux-gnu/include'], defines: { __aarch64__: '1' } },
// (`arch` is libseccomp's name, as in the emulator's ARCHES). Run
// `npm run gen:syscalls`, read the diff, commit the generated files.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST_INCLUDE = ['/usr/include/x86_64-linux-gnu', '/usr/include'];

/** One syscall table per ABI: where to start reading and what the compiler predefines. */
const SYSCALL_TABLES = [
  // asm/unistd.h picks unistd_64.h, unistd_32.h or unistd_x32.h by these macros.
  { arch: 'x86_64', header: 'asm/unistd.h', includeDirs: HOST_INCLUDE, defines: { __x86_64__: '1' } },
  { arch: 'x86', header: 'asm/unistd.h', includeDirs: HOST_INCLUDE, defines: { __i386__: '1' } },
  { arch: 'x32', header: 'asm/unistd.h', includeDirs: HOST_INCLUDE, defines: { __x86_64__: '1', __ILP32__: '1' } },
];

/** __NR_* macros that are not syscalls (bases and counts some arches define). */
const NOT_SYSCALLS = /^(syscalls|Linux|Linux_syscalls|O32_Linux|O32_Linux_syscalls|N32_Linux|N32_Linux_syscalls|64_Linux|64_Linux_syscalls|SYSCALL_BASE|SYSCALL_MASK|arch_specific_syscall)$/;

/** errno names and numbers: asm-generic (x86, arm, aarch64, riscv, s390 use it as is). */
const ERRNO_TABLE = { header: 'asm-generic/errno.h', includeDirs: HOST_INCLUDE, defines: {} };

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

/** Every macro with `prefix` whose value is a number, in definition order. */
function readMacros(spec, prefix, exclude) {
  const pp = new Preprocessor(spec.includeDirs, spec.defines);
  pp.include(spec.header);
  const out = new Map();
  for (const { name } of pp.order) {
    if (!name.startsWith(prefix) || out.has(name.slice(prefix.length))) continue;
    const short = name.slice(prefix.length);
    const body = pp.macros.get(name);
    if (exclude?.test(short) || body == null || body.trim() === "") continue;
    const v = pp.evaluate(name, false);
    if (v < 0n || v > 0xffffffffn) throw new Error(`${name} = ${v} is not a u32`);
    out.set(short, Number(v));
  }
  return { values: out, files: pp.filesRead };
}

/** The Debian package (name:arch and version) owning each file; one per table. */
function owningPackage(files) {
  const owners = new Set();
  for (const f of files) {
    const line = execFileSync('dpkg-query', ['-S', f], { encoding: 'utf8' }).trim().split('\n')[0];
    owners.add(line.slice(0, line.lastIndexOf(': ')).split(',')[0].trim());
  }
  if (owners.size !== 1) throw new Error(`headers come from several packages: ${[...owners].join(', ')}`);
  const pkg = [...owners][0];
  const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim();
  return { package: pkg, version };
}

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));
const num = (v) => (v >= 0x10000 ? '0x' + v.toString(16) : String(v));

function generateSyscalls() {
  const tables = SYSCALL_TABLES.map((spec) => {
    const { values, files } = readMacros(spec, '__NR_', NOT_SYSCALLS);
    if (values.size === 0) throw new Error(`${spec.arch}: no __NR_ macros found from ${spec.header}`);
    return { spec, values, files, ...owningPackage(files) };
  });
  const lines = [
    '// GENERATED by scripts/gen-syscalls.mjs (npm run gen:syscalls). Do not edit.',
    '// Syscall numbers as the __NR_* macros of the kernel UAPI headers give them',
    '// (x32 numbers include __X32_SYSCALL_BIT = 0x40000000). Sources:',
    ...tables.map((t) => `//   ${t.spec.arch}: ${t.package} ${t.version}: ${t.files.join(' -> ')}`),
    '',
    'export interface SyscallTableSource {',
    '  /** Debian package (name:arch) that installed the headers. */',
    '  readonly package: string;',
    '  readonly version: string;',
    '  /** Headers read, in order, starting from the one a program includes. */',
    '  readonly headers: readonly string[];',
    '}',
    '',
    'export interface SyscallTable {',
    '  readonly source: SyscallTableSource;',
    '  /** Syscall name (without __NR_) to number. */',
    '  readonly numbers: Readonly<Record<string, number>>;',
    '}',
    '',
    '/** Tables by libseccomp arch name. */',
    'export const SYSCALL_TABLES: Readonly<Record<string, SyscallTable>> = {',
  ];
  for (const t of tables) {
    lines.push(`  ${key(t.spec.arch)}: {`);
    lines.push(`    source: { package: ${JSON.stringify(t.package)}, version: ${JSON.stringify(t.version)}, headers: ${JSON.stringify(t.files)} },`);
    lines.push('    numbers: {');
    const sorted = [...t.values].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    for (const [name, v] of sorted) lines.push(`      ${key(name)}: ${num(v)},`);
    lines.push('    },', '  },');
    console.log(`${t.spec.arch}: ${t.values.size} syscalls from ${t.package} ${t.version}`);
  }
  lines.push('};', '');
  return lines.join('\n');
}

function generateErrno() {
  const { values, files } = readMacros(ERRNO_TABLE, 'E', null);
  const { package: pkg, version } = owningPackage(files);
  console.log(`errno: ${values.size} names from ${pkg} ${version}`);
  return [
    '// GENERATED by scripts/gen-syscalls.mjs (npm run gen:syscalls). Do not edit.',
    `// errno names and numbers from ${pkg} ${version}:`,
    `//   ${files.join(' -> ')}`,
    '// These are the asm-generic values (x86, arm, aarch64, riscv, s390, ...);',
    '// alpha, mips, parisc and sparc number some errnos differently.',
    '// Aliases (EWOULDBLOCK, EDEADLOCK) come after the name they alias.',
    '',
    `export const ERRNO_SOURCE = { package: ${JSON.stringify(pkg)}, version: ${JSON.stringify(version)}, headers: ${JSON.stringify(files)} } as const;`,
    '',
    '/** errno name to number, in header order: the first name of a number is its canonical one. */',
    'export const ERRNO_NUMBERS: Readonly<Record<string, number>> = {',
    ...[...values].map(([name, v]) => `  E${name}: ${v},`),
    '};',
    '',
  ].join('\n');
}

const pkgLine = execFileSync('dpkg-query', ['-W', 'linux-libc-dev'], { encoding: 'utf8' }).trim();
console.log(`host headers: ${pkgLine}`);
writeFileSync(join(ROOT, 'src/arch/syscalls.generated.ts'), generateSyscalls());
writeFileSync(join(ROOT, 'src/arch/errno.generated.ts'), generateErrno());
console.log('wrote src/arch/syscalls.generated.ts, src/arch/errno.generated.ts');
