// --engine emulator,container:x86_64 through the built CLI: eval and verify
// on the corpus's x86_64 Docker filters report zero disagreements, with the
// same JSON fields as --engine both. Fails with the reason in CI when no
// Docker engine answers (npm run setup:docker).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailability } from '../../containers/docker/engine.js';
import { requireCorpus } from '../../emulator/src/__test-helpers__/corpus.js';
import { ensureBuilt, lines, runCli, type CliRun } from '../__test-helpers__/cli.js';

const docker = dockerAvailability();
if (!docker.ok && process.env.CI === 'true') throw new Error(`container:x86_64 suites need Docker in CI: ${docker.reason}`);
if (!docker.ok) console.warn(`container:x86_64 CLI suite skipped: ${docker.reason}`);

const ENGINE = 'container:x86_64';
const BUILDS = ['libseccomp-2.5.4-debian', 'libseccomp-git-90d3f7d'];
const dockerFilter = (build: string): string => join(requireCorpus(), 'compiled', 'docker-moby', 'x86_64', build);

/** "seccheck: container:x86_64: 1579 cases: 1567 agree, 0 disagree, 12 skipped" on stderr. */
function summary(r: CliRun): { total: number; agree: number; disagree: number; skipped: number } {
  const line = lines(r.stderr).find((l) => l.startsWith(`seccheck: ${ENGINE}: `));
  const m = line === undefined ? null : /: (\d+) cases?: (\d+) agree, (\d+) disagree, (\d+) skipped$/.exec(line);
  if (m === null) throw new Error(`no ${ENGINE} summary on stderr:\n${r.stderr}`);
  return { total: Number(m[1]), agree: Number(m[2]), disagree: Number(m[3]), skipped: Number(m[4]) };
}

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'seccheck-container-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!docker.ok)(`eval --engine emulator,${ENGINE} on the corpus Docker filters`, () => {
  it.each(BUILDS)('%s: zero disagreements, every x86_64/i386/x32 case answered, the fields of both', (build) => {
    const d = dockerFilter(build);
    const r = runCli(['eval', join(d, 'filter.bpf'), '--cases', join(d, 'cases.jsonl'), '--json', '--engine', `emulator,${ENGINE}`]);
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r);
    expect(s.disagree).toBe(0);
    expect(s.agree).toBeGreaterThan(1500);
    const recs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(s.total);
    expect(recs.filter((x) => x.kernel === 'disagree')).toHaveLength(0);
    expect(Object.keys(recs[0])).toEqual(['action', 'data', 'raw', 'outcome', 'kernel']);
    // What is skipped is another ABI or the uretprobe/uprobe pass-through, each with its reason.
    for (const x of recs.filter((y) => y.kernel === 'skipped')) expect(x.reason).toMatch(/cannot be made on this|uretprobe|uprobe/);
  });

  it('verify: a spec on the Docker x86_64 filter holds, confirmed in the container, zero disagreements', () => {
    const spec = join(dir, 'docker-x86_64.yaml');
    writeFileSync(spec, [
      `filter: ${join(dockerFilter(BUILDS[0]), 'filter.bpf')}`,
      'arches: [x86_64, x86]',
      'expect:',
      '  - syscalls: [getpid, read, write, openat]',
      '    action: ALLOW',
      '  - syscalls: [kexec_load, reboot]',
      '    action: ERRNO(EPERM)',
      '',
    ].join('\n'));
    const r = runCli(['verify', spec, '--engine', `emulator,${ENGINE}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.at(-1)).toBe('verified: 2 of 2 expectations hold');
    const counts = new RegExp(`^${ENGINE}: (\\d+) cases, (\\d+) skipped, 0 disagree$`).exec(out.at(-2) ?? '');
    expect(counts, out.join('\n')).not.toBeNull();
    expect(Number(counts![1]) - Number(counts![2])).toBeGreaterThan(0);
  });
});
