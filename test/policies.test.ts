// Every file under ../shared/corpus/policies/ and ../shared/corpus/compiled/
// goes through the format loader: what seccheck claims to support loads
// (and its programs pass the kernel's checker); everything else is refused
// with one SeccheckError line naming the file. Nothing crashes.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archByName, checkFilter } from 'unicorn-bpf-emulator';
import { requireCorpus } from '../emulator/src/__test-helpers__/corpus.js';
import { SeccheckError } from '../src/errors.js';
import type { FormatName, LoadOptions } from '../src/formats/filter.js';
import { loadFilter } from '../src/formats/load.js';

const CORPUS = requireCorpus();

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** What seccheck claims for a corpus file: the format it must load as, and the arch to compile for. */
function claim(rel: string): { format: FormatName; arch?: string } | null {
  // moby's parser fixture asks for errnoRet 12345, which libseccomp refuses (as runc would).
  if (rel === 'policies/docker-moby/fixtures/example.json') return null;
  if (/^compiled\/.*\/filter\.bpf$/.test(rel)) return { format: 'raw' };
  if (/^policies\/(docker-moby|podman-containers-common|apptainer|flatpak)\/.*\.json$/.test(rel)) return { format: 'oci' };
  if (/^policies\/(boxlite|firecracker)\/.*\.json$/.test(rel)) return { format: 'seccompiler', arch: rel.includes('aarch64') ? 'aarch64' : 'x86_64' };
  return null;
}

const files = [...walk(join(CORPUS, 'policies')), ...walk(join(CORPUS, 'compiled'))].map((f) => ({ file: f, rel: relative(CORPUS, f) }));

describe('every corpus policy and compiled filter', () => {
  it('finds the corpus files', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  for (const { file, rel } of files) {
    const c = claim(rel);
    if (c) {
      it(`${rel}: loads as ${c.format}`, () => {
        const opts: LoadOptions = c.arch ? { arch: archByName(c.arch) } : {};
        const loaded = loadFilter(file, opts);
        expect(loaded.format).toBe(c.format);
        expect(loaded.programs.length).toBeGreaterThan(0);
        for (const p of loaded.programs) {
          if (p.program.length === 0) continue; // boxlite: an empty program means no seccomp
          const r = checkFilter(p.program);
          expect(r.accepted ? 'accepted' : r.reason).toBe('accepted');
        }
      });
    } else {
      it(`${rel}: is refused with one line naming the file`, () => {
        let error: unknown = null;
        try {
          loadFilter(file, {});
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(SeccheckError);
        const message = (error as SeccheckError).message;
        expect(message).not.toContain('\n');
        expect(message.startsWith(file)).toBe(true);
        if (rel.endsWith('fixtures/example.json')) expect(message).toMatch(/errno 12345/);
      });
    }
  }
});
