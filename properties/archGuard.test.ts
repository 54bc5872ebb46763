import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpusFilters } from '../emulator/src/__test-helpers__/corpus.js';
import { archGuard, i386Handled, x32Guard } from './index.js';

const docker = loadCorpusFilters().filter((f) => f.name.startsWith('docker-moby/x86_64/'));

describe('archGuard on the Docker x86_64 filters', () => {
  it('has the corpus filters', () => expect(docker.length).toBeGreaterThan(0));
  for (const f of docker) {
    it(`${f.name}: every arch but x86_64, x86, x32 is denied`, () => {
      fc.assert(archGuard(f.program, { allowed: ['x86_64', 'x86', 'x32'], action: 'deny' }), { numRuns: 2_000 });
    });
    it(`${f.name}: archGuard with only x86_64 allowed fails (i386 gets through)`, () => {
      const r = fc.check(archGuard(f.program, { allowed: ['x86_64'], action: 'deny' }), { numRuns: 2_000 });
      expect(r.failed).toBe(true);
      console.log(`${f.name}: x86_64-only guard fails, seed ${r.seed}; counterexample ${fc.stringify(r.counterexample)}`);
    });
    it(`${f.name}: x32Guard and i386Handled`, () => {
      // Docker allows x32 syscalls by design (its profile lists x32), so the x32 guard must fail.
      expect(fc.check(x32Guard(f.program), { numRuns: 2_000 }).failed).toBe(true);
      fc.assert(i386Handled(f.program), { numRuns: 2_000 });
    });
  }
});
