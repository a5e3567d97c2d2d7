/**
 * synth/promiseTraces.ts (loaded by the synthesis and by the test run's setup): Pulumi's
 * promise-leak traces are skipped unless PULUMI_DEBUG_PROMISE_LEAKS asks for them, and nothing else
 * loses its stack trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { skipPromiseTraces } from "../synth/promiseTraces";

const ROOT = path.join(__dirname, "..");
const SETUP = path.join(__dirname, "..", "synth", "promiseTraces.ts");

type Debuggable = { debuggablePromise: (<T>(promise: Promise<T>, context: unknown) => Promise<T>) & { withoutTrace?: true } };
/* eslint-disable @typescript-eslint/no-require-imports */
const programSdk = require(require.resolve("@pulumi/pulumi/runtime/debuggable", { paths: [ROOT] })) as Debuggable;
const policySdk = require(require.resolve("@pulumi/pulumi/runtime/debuggable", { paths: [path.join(ROOT, "policy")] })) as Debuggable;
/* eslint-enable @typescript-eslint/no-require-imports */

describe("Pulumi promise traces in synthesis and tests (synth/promiseTraces.ts)", function () {
  this.timeout(30000);

  // Run with PULUMI_DEBUG_PROMISE_LEAKS set, this run keeps the traces: the last test checks that case.
  const skipping = !process.env.PULUMI_DEBUG_PROMISE_LEAKS;

  it("wraps both SDK copies, the program's and the policy pack's", () => {
    expect(Boolean(programSdk.debuggablePromise.withoutTrace)).to.equal(skipping);
    expect(Boolean(policySdk.debuggablePromise.withoutTrace)).to.equal(skipping);
  });

  it("stores a bare trace on the promise, restores Error.stackTraceLimit and leaves other traces whole", async () => {
    const limit = Error.stackTraceLimit;
    const wrapped = Promise.resolve(42);
    const promise = programSdk.debuggablePromise(wrapped, "a test promise");
    const trace = (wrapped as unknown as { _debugStackTrace: string })._debugStackTrace;
    if (skipping) expect(trace).to.equal("Error");
    else expect(trace).to.include("pulumiPromiseTraces.test.ts");
    expect((wrapped as unknown as { _debugCtx: string })._debugCtx).to.equal("a test promise");
    expect(await promise).to.equal(42);
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error("here").stack).to.include("pulumiPromiseTraces.test.ts");
  });

  it("is a no-op where no @pulumi/pulumi is installed, and wraps a copy once", () => {
    expect(skipPromiseTraces(mkdtempSync(path.join(tmpdir(), "no-pulumi-")))).to.equal(false);
    const wrapper = programSdk.debuggablePromise;
    if (skipping) {
      expect(skipPromiseTraces(ROOT)).to.equal(true);
      expect(programSdk.debuggablePromise, "the same wrapper, not a wrapper of it").to.equal(wrapper);
    }
  });

  it("keeps the traces when PULUMI_DEBUG_PROMISE_LEAKS is set (debugging a leak)", () => {
    const script = [
      `require(${JSON.stringify(SETUP)}).skipPulumiPromiseTraces();`,
      `const sdk = require(require.resolve("@pulumi/pulumi/runtime/debuggable", { paths: [${JSON.stringify(ROOT)}] }));`,
      `const promise = Promise.resolve(1);`,
      `sdk.debuggablePromise(promise, "leak");`,
      `console.log(JSON.stringify({ wrapped: Boolean(sdk.debuggablePromise.withoutTrace), trace: promise._debugStackTrace }));`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], {
      cwd: ROOT,
      env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "1" },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).to.equal(0);
    const { wrapped, trace } = JSON.parse(run.stdout) as { wrapped: boolean; trace: string };
    expect(wrapped).to.equal(false);
    expect(trace).to.match(/^Error\n {4}at /);
  });
});
