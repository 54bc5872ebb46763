// --engine lists with VM engines, through the built CLI: eval, check and
// verify with emulator,vm:aarch64 and emulator,vm:x86_64 on the corpus's
// Docker filters for each arch (and boxlite's aarch64 thread map, three
// programs in one boot) report zero disagreements. Each command boots its VM
// once; the wall time of each run is printed at the end. Fails, with the
// reason, when qemu, the kernels (npm run setup:vm) or the probes are missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import { vmMachine } from '../../containers/vm/machine.js';
import { ensureBuilt, lines, ROOT, runCli, type CliRun } from '../__test-helpers__/cli.js';

const docker = (arch: string, build: string): string => join(requireCorpus(), 'compiled', 'docker-moby', arch, build);
const BUILDS = ['libseccomp-2.5.4-debian', 'libseccomp-git-90d3f7d'];

const timings: string[] = [];
/** runCli, timed: the figure is the whole command (node start, load, one VM boot, compare). */
function timed(what: string, args: string[]): CliRun {
  const t0 = performance.now();
  const r = runCli(args);
  timings.push(`${what}: ${(performance.now() - t0).toFixed(0)} ms`);
  return r;
}

/** The summary line of an engine on stderr: "vm:aarch64: 1014 cases: 498 agree, 0 disagree, 516 skipped". */
function summary(r: CliRun, engine: string): { total: number; agree: number; disagree: number; skipped: number } {
  const line = lines(r.stderr).find((l) => l.startsWith(`seccheck: ${engine}: `));
  const m = line === undefined ? null : /: (\d+) (?:case|filter)s?: (\d+) agree, (\d+) disagree, (\d+) skipped$/.exec(line);
  if (m === null) throw new Error(`no ${engine} summary on stderr:\n${r.stderr}`);
  return { total: Number(m[1]), agree: Number(m[2]), disagree: Number(m[3]), skipped: Number(m[4]) };
}

let dir: string;
beforeAll(() => {
  // Loud, one-line reasons before any test: no kernel (npm run setup:vm), no probe build.
  vmMachine('aarch64');
  vmMachine('x86_64');
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-vm-cli-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(['VM engines through the CLI (wall time per command, one boot each):', ...timings.map((t) => `  ${t}`)].join('\n'));
});

describe.each([
  ['aarch64', 'vm:aarch64'],
  ['x86_64', 'vm:x86_64'],
] as const)('eval --engine emulator,%s on the corpus Docker filters', (arch, engine) => {
  it.each(BUILDS)(`%s: zero disagreements, every case answered, the fields of both`, (build) => {
    const d = docker(arch, build);
    const r = timed(`eval ${engine} docker-moby/${arch}/${build}`, ['eval', join(d, 'filter.bpf'), '--cases', join(d, 'cases.jsonl'), '--json', '--engine', `emulator,${engine}`]);
    expect(r.code, r.stderr).toBe(0);
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const s = summary(r, engine);
    timings.push(`  -> ${s.total} cases: ${s.agree} agree, ${s.disagree} disagree, ${s.skipped} skipped`);
    expect(s.disagree).toBe(0);
    expect(recs).toHaveLength(s.total);
    expect(recs.filter((x) => x.kernel === 'agree')).toHaveLength(s.agree);
    expect(recs.filter((x) => x.kernel === 'disagree')).toHaveLength(0);
    // Every case of the kernel's own arch runs; skipped ones are other ABIs, each with its reason.
    expect(s.agree).toBeGreaterThan(arch === 'aarch64' ? 450 : 1500);
    for (const x of recs.filter((y) => y.kernel === 'skipped')) expect(x.reason).toMatch(/cannot be made on this|uretprobe|uprobe/);
    expect(Object.keys(recs[0])).toEqual(['action', 'data', 'raw', 'outcome', 'kernel']);
  });
});

describe('the other commands with vm:aarch64', () => {
  it('eval of boxlite\'s aarch64 thread map: its three programs in one boot, zero disagreements', () => {
    const boxlite = join(requireCorpus(), 'policies', 'boxlite', 'aarch64-unknown-linux-gnu.json');
    const r = timed('eval vm:aarch64 boxlite aarch64 (3 threads)', ['eval', boxlite, '--format', 'seccompiler', '--arch', 'aarch64', '--cases', join(docker('aarch64', BUILDS[0]), 'cases.jsonl'), '--engine', 'emulator,vm:aarch64']);
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r, 'vm:aarch64');
    expect(s.disagree).toBe(0);
    expect(s.agree).toBeGreaterThan(1000);
  });

  it('check: both Docker aarch64 filters load on the VM kernel, one boot', () => {
    const r = timed('check vm:aarch64 (2 filters)', ['check', ...BUILDS.map((b) => join(docker('aarch64', b), 'filter.bpf')), '--engine', 'emulator,vm:aarch64']);
    expect(r.code, r.stderr).toBe(0);
    expect(summary(r, 'vm:aarch64')).toEqual({ total: 2, agree: 2, disagree: 0, skipped: 0 });
  });

  it('verify: a spec on the Docker aarch64 filter holds, confirmed by the VM, zero disagreements', () => {
    const spec = join(dir, 'docker-aarch64.yaml');
    writeFileSync(spec, [
      `filter: ${join(docker('aarch64', BUILDS[0]), 'filter.bpf')}`,
      'arches: [aarch64, arm]',
      'expect:',
      '  - syscalls: [getpid, read, write, openat]',
      '    action: ALLOW',
      '  - syscalls: [kexec_load, reboot]',
      '    action: ERRNO(EPERM)',
      '  - foreign_arch: KILL_THREAD',
      '',
    ].join('\n'));
    const r = timed('verify vm:aarch64 (3 expectations)', ['verify', spec, '--engine', 'emulator,vm:aarch64']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.at(-1)).toBe('verified: 3 of 3 expectations hold');
    const counts = /^vm:aarch64: (\d+) cases, (\d+) skipped, 0 disagree$/.exec(out.at(-2) ?? '');
    expect(counts, out.join('\n')).not.toBeNull();
    expect(Number(counts![1]) - Number(counts![2])).toBeGreaterThan(0);
    const j = runCli(['verify', spec, '--engine', 'emulator,vm:aarch64', '--json']);
    const doc = JSON.parse(j.stdout) as { engine: string; pass: boolean; kernel: { disagree: number } };
    expect(doc).toMatchObject({ engine: 'emulator,vm:aarch64', pass: true, kernel: { disagree: 0 } });
  });

  it('without the setup: one line saying to run npm run setup:vm, exit 2', () => {
    const empty = mkdtempSync(join(dir, 'cache-'));
    const d = docker('aarch64', BUILDS[0]);
    const args = ['eval', join(d, 'filter.bpf'), '--cases', join(d, 'cases.jsonl'), '--engine', 'emulator,vm:aarch64'];
    const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'seccheck.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SECCHECK_CACHE: empty } });
    const r = { code: p.status, stdout: p.stdout, stderr: p.stderr };
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^seccheck: vm:aarch64: .*run npm run setup:vm$/m);
  });
});
