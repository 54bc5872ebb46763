// Where the shared corpus is: $SECCHECK_CORPUS, else ../shared/corpus beside
// the repository, else beside the repository this clone came from (a local
// `origin`), as .ci/run does. Plain JS so vitest.config.ts can use it too.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** @returns {string} absolute path of the corpus directory */
export function findCorpus() {
  if (process.env.SECCHECK_CORPUS) return resolve(process.env.SECCHECK_CORPUS);
  const beside = resolve(REPO_ROOT, '..', 'shared', 'corpus');
  if (existsSync(join(beside, 'libseccomp'))) return beside;
  try {
    const origin = execFileSync('git', ['-C', REPO_ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const fromOrigin = resolve(REPO_ROOT, origin, '..', 'shared', 'corpus');
    if (existsSync(join(fromOrigin, 'libseccomp'))) return fromOrigin;
  } catch {
    // not a git checkout, or no origin: report the usual place
  }
  return beside;
}
