/**
 * Test-run setup (loaded by `.mocharc.json` `require`, in the main process and in every parallel
 * worker): Pulumi's promise-leak traces are skipped for every test, not only those that synthesize
 * (synth/promiseTraces.ts says why and how; PULUMI_DEBUG_PROMISE_LEAKS keeps them).
 */
import { skipPulumiPromiseTraces } from "../../synth/promiseTraces";

skipPulumiPromiseTraces();
