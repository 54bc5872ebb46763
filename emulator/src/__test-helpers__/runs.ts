// Property-test run counts: the default keeps `npm test` quick; CI's heavier
// pass multiplies them with SECCHECK_PROPERTY_RUNS.
export function numRuns(base: number): number {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  const factor = Number(env?.SECCHECK_PROPERTY_RUNS ?? 1);
  return Math.max(1, Math.round(base * (Number.isFinite(factor) && factor > 0 ? factor : 1)));
}
