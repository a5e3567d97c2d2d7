/**
 * `npm run bench` (synth/bench.ts): which parts `--only` selects, how figures print, and a timed
 * npm script's exit code and log.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { PARTS, partsOf, seconds, timeNpmScript } from "../../synth/bench";

describe("npm run bench (synth/bench.ts)", function () {
  this.timeout(30000);

  it("runs every part by default, in a fixed order whatever order --only names them", () => {
    expect(partsOf(undefined)).to.deep.equal(["synth", "drill", "rehearse", "test"]);
    expect(partsOf([])).to.deep.equal([...PARTS]);
    expect(partsOf(["test,synth"])).to.deep.equal(["synth", "test"]);
    expect(partsOf(["drill", " rehearse "])).to.deep.equal(["drill", "rehearse"]);
  });

  it("refuses an unknown part, naming it and the known ones", () => {
    expect(() => partsOf(["synth,tests"])).to.throw("--only tests: unknown part; use one or more of synth, drill, rehearse, test");
  });

  it("prints seconds with one decimal", () => {
    expect(seconds(12345)).to.equal("12.3 s");
    expect(seconds(40)).to.equal("0.0 s");
  });

  it("times an npm script and keeps its exit code and a log (here a script that does not exist: npm fails)", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "bench-test-"));
    const timing = await timeNpmScript("no-such-script", folder);
    expect(timing.exitCode).to.not.equal(0);
    expect(timing.milliseconds).to.be.above(0);
    expect(timing.log).to.equal(path.join(folder, "no-such-script.log"));
    expect(existsSync(timing.log)).to.equal(true);
  });
});
