// `seccheck eval FILTER --cases cases.jsonl --json` against the shared corpus:
// libseccomp's regression filters and Docker's default profile compiled by
// libseccomp, each case with the value the filter returns ("raw"). The
// corpus is read in place from ../shared/corpus (relative to the repo root;
// $SECCHECK_CORPUS overrides it).
//
// The corpus's raw is the filter's own value. Kernels from 6.14 (uretprobe,
// x86_64 nr 335) and 6.18 (uprobe, 336) skip all filters for those syscalls,
// so the comparison runs with --kernel 6.1, and a second pass checks that a
// 6.18 kernel differs exactly there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, lines, ROOT, runCli, runMain } from './__test-helpers__/cli.js';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';

const CORPUS = requireCorpus();

interface CorpusCase {
  readonly arch: string;
  readonly nr: number;
  readonly expect?: string;
  readonly raw: string;
}

/** Folders `depth` levels under corpus/`base` holding filter.bpf + cases.jsonl, relative to the repo root. */
function corpusDirs(base: string, depth: number): string[] {
  const walk = (dir: string, depth: number): string[] => {
    if (depth === 0) return existsSync(join(dir, 'filter.bpf')) && existsSync(join(dir, 'cases.jsonl')) ? [dir] : [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => walk(join(dir, e.name), depth - 1));
  };
  return walk(join(CORPUS, base), depth).map((d) => relative(ROOT, d));
}

const LIBSECCOMP = corpusDirs('libseccomp', 1);
const DOCKER = corpusDirs('compiled/docker-moby', 2);

function readCorpusCases(dir: string, file = 'cases.jsonl'): CorpusCase[] {
  return lines(readFileSync(join(ROOT, dir, file), 'utf8'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusCase);
}

const isBypassed = (c: CorpusCase): boolean => (c.arch === 'x86_64' && (c.nr === 335 || c.nr === 336));

/** Run eval in-process (the command's own code path) and parse its JSON lines. */
async function evalJson(filter: string, cases: string, ...extra: string[]): Promise<{ action: string; data: number; raw: string; unknown?: true }[]> {
  const r = await runMain(['eval', filter, '--cases', cases, '--json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return lines(r.stdout).map((l) => JSON.parse(l));
}

/** Every case's raw, and the action named by its "expect" (e.g. "ERRNO(1)" -> ERRNO). */
async function expectCorpusAgrees(dir: string, filter = 'filter.bpf', ...extra: string[]): Promise<void> {
  const cases = readCorpusCases(dir);
  expect(cases.length).toBeGreaterThan(0);
  const out = await evalJson(join(dir, filter), join(dir, 'cases.jsonl'), '--kernel', '6.1', ...extra);
  expect(out).toHaveLength(cases.length);
  const mismatches = cases
    .map((c, i) => ({ line: i + 1, case: c, got: out[i] }))
    .filter((m) => m.got.raw !== m.case.raw.toLowerCase() || (m.case.expect !== undefined && m.got.action !== m.case.expect.replace(/\(.*$/, '')));
  expect(mismatches).toEqual([]);
}

describe('corpus: the folders are there', () => {
  it('finds libseccomp and docker-moby vectors', () => {
    expect(LIBSECCOMP.length).toBeGreaterThanOrEqual(20);
    expect(LIBSECCOMP).toContain(relative(ROOT, join(CORPUS, 'libseccomp', '26-sim-arch_all_be_basic')));
    expect(DOCKER).toHaveLength(4);
  });
});

describe('corpus: libseccomp regression filters', () => {
  it.each(LIBSECCOMP)('%s', async (dir) => {
    await expectCorpusAgrees(dir);
  });

  it('26 (big-endian arches): the bytes as emitted, read with --endian big, agree too', async () => {
    const dir = LIBSECCOMP.find((d) => d.endsWith('26-sim-arch_all_be_basic'))!;
    expect(existsSync(join(ROOT, dir, 'filter.orig-be.bpf'))).toBe(true);
    await expectCorpusAgrees(dir, 'filter.orig-be.bpf', '--endian', 'big');
  });
});

describe('corpus: Docker default profile compiled by libseccomp', () => {
  it.each(DOCKER)('%s', async (dir) => {
    await expectCorpusAgrees(dir);
  });
});

describe('corpus: kernel bypass on 6.18', () => {
  it.each([...LIBSECCOMP, ...DOCKER])('%s: differs from the filter only at x86_64 uretprobe/uprobe, which run', async (dir) => {
    const cases = readCorpusCases(dir);
    const out = await evalJson(join(dir, 'filter.bpf'), join(dir, 'cases.jsonl'), '--kernel', '6.18');
    cases.forEach((c, i) => {
      expect({ line: i + 1, raw: out[i].raw }).toEqual({ line: i + 1, raw: isBypassed(c) ? '0x7fff0000' : c.raw.toLowerCase() });
    });
  });
});

describe('corpus: through the real process', () => {
  beforeAll(() => {
    ensureBuilt();
  });

  it.each(DOCKER.filter((d) => d.includes('x86_64')))('node bin/seccheck.js eval %s/filter.bpf --json', (dir) => {
    const cases = readCorpusCases(dir);
    const r = runCli(['eval', join(dir, 'filter.bpf'), '--cases', join(dir, 'cases.jsonl'), '--json', '--kernel', '6.1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l).raw)).toEqual(cases.map((c) => c.raw.toLowerCase()));
  });

  it('node bin/seccheck.js check accepts every corpus filter', () => {
    const filters = [...LIBSECCOMP, ...DOCKER].map((d) => join(d, 'filter.bpf'));
    const r = runCli(['check', '--json', ...filters]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l))).toEqual(filters.map((file) => ({ file, accepted: true, errno: null, insn: null, reason: null })));
  });
});

describe('examples/', () => {
  it('examples/cases.jsonl: every raw agrees', async () => {
    await expectCorpusAgrees('examples', 'deny-getpid.bpf');
  });
});
