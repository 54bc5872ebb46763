#!/usr/bin/env node
// The seccheck command: runs the built CLI (dist/), which `npm install`
// produces through the package's prepare script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`seccheck: not built yet (${entry.pathname} is missing); run \`npm install\` in the seccheck folder (it builds via the prepare script)\n`);
  process.exit(2);
}
// `seccheck ... | head` closes stdout early: stop quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
