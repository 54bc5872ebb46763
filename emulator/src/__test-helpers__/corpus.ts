// The shared corpus (real filters and conformance vectors), read in place
// from ../shared/corpus beside the repository, or from $SECCHECK_CORPUS.
// It is never copied into the repo. A missing corpus is a loud failure with
// the path it looked for, not a skipped test.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProgram } from '../codec.js';
import { findCorpus } from './corpus_path.mjs';
import type { Insn } from '../bpf.js';


/** Absolute path of the corpus directory (see corpus_path.mjs). */
export const CORPUS_DIR = findCorpus();

export function requireCorpus(): string {
  if (!existsSync(join(CORPUS_DIR, 'libseccomp'))) {
    throw new Error(`corpus not found at ${CORPUS_DIR} (expected ../shared/corpus beside the repository; set SECCHECK_CORPUS to its path)`);
  }
  return CORPUS_DIR;
}

/** One case line of a corpus cases.jsonl / fuzz.jsonl. */
export interface CorpusCase {
  readonly arch: string;
  readonly nr: number;
  readonly args: readonly string[];
  readonly ip: string;
  readonly expect?: string;
  readonly raw: string;
}

export interface CorpusFilter {
  /** e.g. "libseccomp/02-sim-basic", "docker-moby/x86_64/libseccomp-2.5.4-debian". */
  readonly name: string;
  /** Absolute folder holding filter.bpf and cases.jsonl. */
  readonly dir: string;
  readonly program: Insn[];
  readonly cases: CorpusCase[];
  readonly fuzz: CorpusCase[];
}

function readJsonl(file: string): CorpusCase[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as CorpusCase);
}

const subdirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** Every corpus folder with a filter.bpf: 24 libseccomp tests and 4 Docker builds. */
export function corpusFilterDirs(): { name: string; dir: string }[] {
  const root = requireCorpus();
  const out: { name: string; dir: string }[] = [];
  for (const d of subdirs(join(root, 'libseccomp'))) out.push({ name: `libseccomp/${d}`, dir: join(root, 'libseccomp', d) });
  const docker = join(root, 'compiled', 'docker-moby');
  for (const arch of subdirs(docker)) {
    for (const build of subdirs(join(docker, arch))) out.push({ name: `docker-moby/${arch}/${build}`, dir: join(docker, arch, build) });
  }
  return out.filter((f) => existsSync(join(f.dir, 'filter.bpf')));
}

/** Every corpus filter (little-endian filter.bpf) with its cases. */
export function loadCorpusFilters(): CorpusFilter[] {
  return corpusFilterDirs().map(({ name, dir }) => ({
    name,
    dir,
    program: decodeProgram(new Uint8Array(readFileSync(join(dir, 'filter.bpf'))), 'little'),
    cases: readJsonl(join(dir, 'cases.jsonl')),
    fuzz: readJsonl(join(dir, 'fuzz.jsonl')),
  }));
}
