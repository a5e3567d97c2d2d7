/**
 * Offline synthesis (synth/synthesize.ts loads this, so `npm run synth`, the sweep, the examples
 * and every test process do): Pulumi's promise-leak traces are not captured unless someone asks to
 * read them.
 *
 * Why: `@pulumi/pulumi` wraps every promise of a resource registration in `debuggablePromise`
 * (runtime/debuggable.js), which stores `new Error().stack` on it. Under tsx, stack traces are
 * source-mapped, so formatting one costs far more than the registration itself: measured on this
 * repository's default pair, about 60% of a synthesis' CPU time (`node --cpu-prof`:
 * `serializeJSStackFrame`, the source-map cache and URL conversions), 2.4 s of CPU per synthesis
 * against 1 s with no trace captured. The trace is read in one place only, the leak report
 * `leakedPromises` prints at exit, and only when the `PULUMI_DEBUG_PROMISE_LEAKS` environment
 * variable is set (`exports.debugPromiseLeaks`; pulumi/pulumi sdk/nodejs/runtime/debuggable.ts,
 * pinned here at 3.270.0). Without it the report says to re-run with that variable.
 *
 * So, unless `PULUMI_DEBUG_PROMISE_LEAKS` is set, `debuggablePromise` runs with
 * `Error.stackTraceLimit = 0` (its trace is then the bare `Error`); everything else it does (the
 * id, the context, the leak candidates the exit check counts) is unchanged, and every other stack
 * trace of the run (a failed assertion's, a test's own errors) keeps its frames. Set the variable
 * to get the traces back while debugging a leak.
 *
 * Both copies of the SDK are patched: the program's (`node_modules/@pulumi/pulumi`) and the policy
 * pack's (`policy/node_modules/@pulumi/pulumi`, which `policy/` code resolves first).
 * A copy without `debuggablePromise` (an SDK upgrade moved it) is left as it is, with a warning:
 * synthesis works, only slower, and test/pulumiPromiseTraces.test.ts fails until this is updated.
 */
import * as path from "node:path";

type DebuggablePromise = <T>(promise: Promise<T>, context: unknown) => Promise<T>;

const ROOT = path.join(__dirname, "..");

/** Wraps `debuggablePromise` of the SDK copy resolved from `fromDirectory`; false when none is installed there. */
export function skipPromiseTraces(fromDirectory: string): boolean {
  let file: string;
  try {
    file = require.resolve("@pulumi/pulumi/runtime/debuggable", { paths: [fromDirectory] });
  } catch {
    return false;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debuggable = require(file) as { debuggablePromise?: DebuggablePromise & { withoutTrace?: true } };
  const original = debuggable.debuggablePromise;
  if (typeof original !== "function") {
    // A speed-up only: synthesis still works, slower; test/pulumiPromiseTraces.test.ts fails to say the SDK moved it.
    console.warn(
      `${file} has no debuggablePromise: synthesis keeps Pulumi's promise traces (slower); check synth/promiseTraces.ts against this @pulumi/pulumi version`,
    );
    return false;
  }
  if (original.withoutTrace) return true;
  const withoutTrace: DebuggablePromise & { withoutTrace?: true } = (promise, context) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  withoutTrace.withoutTrace = true;
  debuggable.debuggablePromise = withoutTrace;
  return true;
}

/**
 * Skips the traces in both SDK copies (the program's and the policy pack's) unless
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set; idempotent.
 */
export function skipPulumiPromiseTraces(environment: NodeJS.ProcessEnv = process.env): void {
  if (environment.PULUMI_DEBUG_PROMISE_LEAKS) return;
  skipPromiseTraces(ROOT);
  skipPromiseTraces(path.join(ROOT, "policy"));
}
