#!/usr/bin/env node
// Builds the kernel probe from source with the system C compiler:
//   native/build/libseccheck_probe.so  (called from Node through koffi)
//   native/build/seccheck-probe        (static executable for containers and VMs)
// from every native/src/*.c (the one core) plus native/main/*.c for the
// executable. Run by `npm install` (prepare). Without a compiler, or off
// Linux, it prints one line and succeeds: seccheck then works with the
// emulator only and says why the kernel engine is unavailable.
//
// `node native/build.mjs --target aarch64` instead cross-builds only the
// static executable for the vm:aarch64 engine, with $CC_AARCH64 or Debian's
// aarch64-linux-gnu-gcc (npm run setup:vm installs it):
//   native/build/aarch64/seccheck-probe
// and fails (exit 1) when it cannot: it was asked for explicitly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const core = readdirSync(join(here, 'src')).filter((f) => f.endsWith('.c')).sort().map((f) => join(here, 'src', f));
const mains = existsSync(join(here, 'main')) ? readdirSync(join(here, 'main')).filter((f) => f.endsWith('.c')).sort().map((f) => join(here, 'main', f)) : [];
const flags = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror=implicit-function-declaration', '-D_GNU_SOURCE', `-I${join(here, 'src')}`];

const targetAt = process.argv.indexOf('--target');
if (targetAt >= 0) {
  crossBuild(process.argv[targetAt + 1]);
  process.exit(0);
}

function crossBuild(target) {
  const compilers = { aarch64: process.env.CC_AARCH64 || 'aarch64-linux-gnu-gcc' };
  const cc = compilers[target];
  if (!cc) {
    console.error(`seccheck: --target ${target}: unknown target (aarch64)`);
    process.exit(1);
  }
  const dir = join(here, 'build', target);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.seccheck-probe.${process.pid}`);
  try {
    // Static: it is /init of an initramfs with nothing else in it.
    execFileSync(cc, [...flags, '-static', '-o', tmp, ...core, ...mains, '-lpthread'], { stdio: 'inherit' });
  } catch (e) {
    const why = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? `${cc} not found (npm run setup:vm installs gcc-aarch64-linux-gnu)` : `${cc} failed`;
    console.error(`seccheck: ${target} probe not built: ${why}`);
    process.exit(1);
  }
  renameSync(tmp, join(dir, 'seccheck-probe'));
  console.log(`seccheck: built ${join(dir, 'seccheck-probe')}`);
}

const out = join(here, 'build');
const status = join(out, 'status.json');
mkdirSync(out, { recursive: true });

function unavailable(reason) {
  writeFileSync(status, JSON.stringify({ ok: false, reason }) + '\n');
  console.log(`seccheck: kernel probe not built: ${reason}; the emulator still works`);
  process.exit(0);
}

if (process.platform !== 'linux') unavailable(`not Linux (${process.platform})`);
const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
} catch {
  unavailable(`no C compiler (${cc}); install one, e.g. apt-get install build-essential`);
}

try {
  // Link to a new file and rename it into place: a process that has the old
  // library loaded keeps its (now unlinked) copy instead of seeing it rewritten.
  const tmp = join(out, `.libseccheck_probe.so.${process.pid}`);
  execFileSync(cc, [...flags, '-shared', '-fPIC', '-o', tmp, ...core, '-lpthread'], { stdio: 'inherit' });
  renameSync(tmp, join(out, 'libseccheck_probe.so'));
} catch (e) {
  unavailable(`the C build failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
}
// The executable is static so it can be PID 1 in an empty container or VM;
// without libc.a it is linked dynamically (fine on this host only).
let executable = 'none';
if (mains.length) {
  const tmpExe = join(out, `.seccheck-probe.${process.pid}`);
  const exe = ['-o', tmpExe, ...core, ...mains, '-lpthread'];
  try {
    execFileSync(cc, [...flags, '-static', ...exe], { stdio: 'pipe' });
    renameSync(tmpExe, join(out, 'seccheck-probe'));
    executable = 'static';
  } catch {
    try {
      execFileSync(cc, [...flags, ...exe], { stdio: 'inherit' });
      renameSync(tmpExe, join(out, 'seccheck-probe'));
      executable = 'dynamic';
      console.log('seccheck: static linking failed (no libc.a? apt-get install libc6-dev); seccheck-probe is dynamically linked');
    } catch (e) {
      console.log(`seccheck: seccheck-probe not built: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
}
writeFileSync(status, JSON.stringify({ ok: true, cc, executable }) + '\n');
