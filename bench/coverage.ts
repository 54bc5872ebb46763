// Branch-edge coverage of every corpus filter by (a) uniform random data and
// (b) the filter-guided seccompData arbitrary, N cases each (issue 5's
// coverage table). Reachability is exact (path analysis) where the row says
// "paths". Usage: node dist/bench/coverage.js [runs=10000]; the corpus is
// $SECCHECK_CORPUS or ../shared/corpus beside the repository (as the tests
// find it). Exit 1 when guided generation misses the target (100% of
// reachable edges on at least 90% of the filters).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeProgram, type Program } from 'unicorn-bpf-emulator';
import { coverageRows, formatCoverageTable } from '../properties/_internals/coverage_report.js';

/** The repository root: the nearest folder above this script with the emulator's sources (bench/ or dist/bench/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'emulator', 'src', '__test-helpers__', 'corpus_path.mjs'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench/coverage: cannot find the repository root');
    dir = up;
  }
  return dir;
}

/** The corpus as the tests find it (emulator/src/__test-helpers__/corpus_path.mjs, not part of any build). */
async function corpusDir(): Promise<string> {
  const url = pathToFileURL(join(repoRoot(), 'emulator', 'src', '__test-helpers__', 'corpus_path.mjs')).href;
  const mod = (await import(url)) as { findCorpus(): string };
  return mod.findCorpus();
}

const subdirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** Every corpus filter.bpf (little-endian): the libseccomp tests, then the Docker builds, named as the tests name them. */
function corpusFilters(root: string): { name: string; program: Program }[] {
  const dirs: { name: string; dir: string }[] = [];
  for (const d of subdirs(join(root, 'libseccomp'))) dirs.push({ name: `libseccomp/${d}`, dir: join(root, 'libseccomp', d) });
  const docker = join(root, 'compiled', 'docker-moby');
  if (existsSync(docker)) {
    for (const arch of subdirs(docker)) for (const b of subdirs(join(docker, arch))) dirs.push({ name: `docker-moby/${arch}/${b}`, dir: join(docker, arch, b) });
  }
  return dirs
    .filter((f) => existsSync(join(f.dir, 'filter.bpf')))
    .map((f) => ({ name: f.name, program: decodeProgram(new Uint8Array(readFileSync(join(f.dir, 'filter.bpf'))), 'little') }));
}

async function main(): Promise<number> {
  const runs = process.argv[2] === undefined ? 10_000 : Number(process.argv[2]);
  if (!Number.isInteger(runs) || runs <= 0) {
    console.error(`usage: coverage [runs]  (runs: a positive integer, got "${process.argv[2]}")`);
    return 2;
  }
  const root = await corpusDir();
  if (!existsSync(join(root, 'libseccomp'))) {
    console.error(`corpus not found at ${root} (set SECCHECK_CORPUS to its path)`);
    return 2;
  }
  const rows = coverageRows(corpusFilters(root), runs);
  console.log(formatCoverageTable(rows, runs));
  const full = rows.filter((r) => r.guided.hit === r.guided.reachable).length;
  return full >= 0.9 * rows.length ? 0 : 1;
}

process.exitCode = await main();
