// seccheck verify SPEC [--filter F] [--json] [--junit FILE]: check a filter
// against a spec file, one line per expectation. Exit 0 all pass, 1 a
// failure, 2 bad input.
import type { Command } from 'commander';
import junitModule from 'junit-report-builder';
import { SeccheckError } from '../errors.js';
import { describeExpectation, loadSpec } from '../spec/spec.js';
import { formatCounterexample, formatResult, resultRecord, verifySpec, type VerifyResult } from '../spec/verify.js';
import { printLines, type CommandContext } from './context.js';

interface VerifyOptions {
  readonly filter?: string;
  readonly json?: boolean;
  readonly junit?: string;
}

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('check a filter against a spec file of expectations, per arch: exact where the path analysis decides, a fixed-seed sampling otherwise')
    .argument('<spec>', 'a YAML or JSON spec file (filter, format, thread, arches, expect)')
    .option('--filter <file>', 'the filter to check (default: the spec\'s "filter", relative to the spec file)')
    .option('--json', 'one JSON document: {spec, filter, pass, results: [{line, expectation, action, pass, method, counterexample?}]}')
    .option('--junit <file>', 'also write a JUnit XML report, one test case per expectation')
    .action((specFile: string, opts: VerifyOptions) => {
      const spec = loadSpec(specFile);
      const result = verifySpec(spec, opts.filter !== undefined ? { filter: opts.filter } : {});
      if (opts.json) {
        ctx.io.out(JSON.stringify({ spec: result.spec, filter: result.filter, pass: result.pass, results: result.results.map(resultRecord) }) + '\n');
      } else {
        const lines = result.results.map((r) => formatResult(r, specFile));
        const failed = result.results.filter((r) => !r.pass).length;
        lines.push(`${failed === 0 ? 'verified' : 'FAILED'}: ${result.results.length - failed} of ${result.results.length} expectations hold`);
        printLines(ctx.io, lines);
      }
      if (opts.junit !== undefined) writeJunit(result, specFile, opts.junit);
      ctx.exitCode = result.pass ? 0 : 1;
    });
}

type JunitBuilder = typeof junitModule.default;
/**
 * junit-report-builder is CommonJS compiled from TypeScript: Node's ESM
 * loader hands over its builder as the default import, while TypeScript
 * types the default import as the module object; take whichever holds it.
 */
function junitBuilder(): JunitBuilder {
  const m = junitModule as unknown as JunitBuilder | { default: JunitBuilder };
  return 'newBuilder' in m ? m : m.default;
}

function writeJunit(result: VerifyResult, specFile: string, out: string): void {
  const builder = junitBuilder().newBuilder();
  const suite = builder.testSuite().name(`seccheck verify ${specFile}`);
  for (const r of result.results) {
    const e = r.expectation;
    const tc = suite.testCase().className(specFile).name(`line ${e.line}: ${describeExpectation(e)}: ${e.actionText}`);
    if (!r.pass) {
      tc.failure(r.counterexample ? `counterexample: ${formatCounterexample(r.counterexample)}` : 'failed', 'seccheck.verify');
    }
  }
  try {
    builder.writeTo(out);
  } catch (err) {
    throw new SeccheckError(out, undefined, `cannot write JUnit report: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
