// seccheck verify SPEC [--filter F] [--engine E] [--json] [--junit FILE]:
// check a filter against a spec file, one line per expectation. Exit 0 all
// pass, 1 a failure, 2 bad input (or the kernel engine asked for and
// unavailable).
import type { Command } from 'commander';
import junitModule from 'junit-report-builder';
import { SeccheckError } from '../errors.js';
import { formatEngineOutcome } from '../engines/format.js';
import { describeExpectation, loadSpec } from '../spec/spec.js';
import {
  formatCounterexample, formatEngineCounts, formatResult, resultRecord, verifySpec, type Counterexample, type VerifyEngine, type VerifyResult,
} from '../spec/verify.js';
import { printLines, type CommandContext } from './context.js';
import { ENGINE_LIST_HELP, engineListOption, resolveEngineList } from './engine_option.js';

interface VerifyOptions {
  readonly filter?: string;
  readonly json?: boolean;
  readonly junit?: string;
  readonly engine: string;
}

export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('check a filter against a spec file of expectations, per arch: exact where the path analysis decides, a fixed-seed sampling otherwise')
    .argument('<spec>', 'a YAML or JSON spec file (filter, format, thread, arches, expect)')
    .option('--filter <file>', 'the filter to check (default: the spec\'s "filter", relative to the spec file)')
    .option('--json', 'one JSON document: {spec, filter, engine, pass, kernel?, engines?, results: [{line, expectation, action, pass, method, cases, kernel?, engines?, counterexample?}]}')
    .option('--junit <file>', 'also write a JUnit XML report, one test case per expectation')
    .addOption(engineListOption('run the concrete cases'))
    .addHelpText('after', [
      '',
      'With --engine kernel or both, every concrete case an expectation is decided on (the',
      'witnesses of the path analysis, the sampled inputs, every counterexample) also runs on',
      'the running kernel through the native probe, in one probe call per arch; the filter is',
      'installed only in forked children and no syscall under test runs. kernel: the kernel\'s',
      'outcome judges each case (where it cannot tell LOG from ALLOW, the emulator settles it);',
      'both: an emulator/kernel disagreement fails the expectation too, shown with both',
      'outcomes. Cases the kernel cannot make (arches it does not run, probe skips) keep the',
      'emulator\'s judgement and are counted: "kernel: N cases, M skipped". --json adds',
      '"engine" and "kernel" counts; --junit names the engine. The kernel engine missing',
      'is an error (exit 2).',
      '',
      ...ENGINE_LIST_HELP,
      'Each engine other than the emulator then confirms the cases as the kernel does above',
      '(judges with one, is compared with the emulator with two or more), one counts line',
      'each; --json\'s "engine" is the list, "kernel" the counts summed over the engines and',
      '"engines" each one\'s counts when there are two or more.',
    ].join('\n'))
    .action((specFile: string, opts: VerifyOptions) => {
      const engines = resolveEngineList(opts.engine);
      const mode: VerifyEngine = engines.others.length === 0 ? 'emulator' : engines.others.length === 1 && !engines.withEmulator ? 'kernel' : 'both';
      // The names as before lists for emulator, kernel and both; the list itself otherwise.
      const names = [...(engines.withEmulator ? ['emulator'] : []), ...engines.others.map((e) => e.name)];
      const shown = names.join(',') === 'emulator,kernel' ? 'both' : names.join(',');
      const spec = loadSpec(specFile);
      const result = verifySpec(spec, { ...(opts.filter !== undefined ? { filter: opts.filter } : {}), engine: mode, ...(mode === 'emulator' ? {} : { engines: engines.others }) });
      if (opts.json) {
        ctx.io.out(JSON.stringify({
          spec: result.spec, filter: result.filter, engine: shown, pass: result.pass,
          ...(result.kernel ? { kernel: result.kernel } : {}),
          ...(result.engines ? { engines: result.engines } : {}),
          results: result.results.map(resultRecord),
        }) + '\n');
      } else {
        const lines = result.results.map((r) => formatResult(r, specFile));
        const failed = result.results.filter((r) => !r.pass).length;
        lines.push(...formatEngineCounts(result));
        lines.push(`${failed === 0 ? 'verified' : 'FAILED'}: ${result.results.length - failed} of ${result.results.length} expectations hold`);
        printLines(ctx.io, lines);
      }
      if (opts.junit !== undefined) writeJunit(result, specFile, opts.junit, shown);
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

/** "counterexample: arch=...", with the kernel's outcome when it ran the case. */
function junitFailure(cx: Counterexample): string {
  const data = `counterexample: ${formatCounterexample(cx)}`;
  if (cx.kernel === undefined) return data;
  const by = cx.engine ?? 'kernel';
  return `${data}${cx.disagreement ? ` (emulator and ${by} disagree)` : ''}; ${by}: ${formatEngineOutcome(cx.kernel)}`;
}

function writeJunit(result: VerifyResult, specFile: string, out: string, engine: string): void {
  const builder = junitBuilder().newBuilder();
  const suite = builder.testSuite().name(`seccheck verify ${specFile}`).property('engine', engine);
  for (const line of formatEngineCounts(result)) {
    suite.property(line.slice(0, line.indexOf(': ')), line);
  }
  for (const r of result.results) {
    const e = r.expectation;
    const tc = suite.testCase().className(specFile).name(`line ${e.line}: ${describeExpectation(e)}: ${e.actionText}`);
    if (!r.pass) {
      tc.failure(r.counterexample ? junitFailure(r.counterexample) : 'failed', r.counterexample?.disagreement ? 'seccheck.verify.disagreement' : 'seccheck.verify');
    }
  }
  try {
    builder.writeTo(out);
  } catch (err) {
    throw new SeccheckError(out, undefined, `cannot write JUnit report: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
