/**
 * How `npm run synth` reports a failure (synth/cliErrors.ts): a user's mistake as its message and
 * exit 1, anything else as a one-line internal error and exit 4, the stack trace only with --debug.
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { PolicyConfigError } from "../../policy/offline";
import { OptionError, UsageError } from "../../synth/cliArgs";
import { describeFailure, isUserError } from "../../synth/cliErrors";
import { PriceDataError } from "../../cost/priceTable";
import { StackFileError } from "../../synth/stackFile";

describe("npm run synth's failure report (synth/cliErrors.ts)", () => {
  it("reports each kind of user mistake as its message, exit 1", () => {
    const mistakes = [
      new UsageError("unknown option --x"),
      new OptionError("--out", "x", "is a file"),
      new ConfigError("Invalid configuration", [{ key: "multi-region-dr:role", value: "x", message: "must be primary or dr" }]),
      new StackFileError("/p/Pulumi.dr.yaml", "no such file"),
      new PolicyConfigError(["all: 5 is not an enforcement level"]),
      new PriceDataError("/p/cost/prices/us-east-2.json cannot be read as JSON (Unexpected token); restore it with git"),
    ];
    for (const mistake of mistakes) {
      expect(isUserError(mistake), mistake.name).to.equal(true);
      expect(describeFailure(mistake)).to.deep.equal({ exitCode: 1, message: mistake.message });
      expect(describeFailure(mistake, { debug: true }), "--debug adds no trace to a user mistake").to.deep.equal({ exitCode: 1, message: mistake.message });
    }
  });

  it("names a stack file raised during synthesis by the option that gave it", () => {
    const error = new StackFileError("/abs/Pulumi.dr.yaml", "has no settings under `config:`");
    expect(describeFailure(error, { subjects: new Map([["/abs/Pulumi.dr.yaml", "--dr x/Pulumi.dr.yaml"]]) }).message).to.equal(
      "--dr x/Pulumi.dr.yaml: has no settings under `config:`",
    );
    expect(describeFailure(error).message).to.equal("/abs/Pulumi.dr.yaml: has no settings under `config:`");
  });

  it("reports anything else as one line, exit 4, and points to --debug", () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')\n    more detail");
    expect(isUserError(bug)).to.equal(false);
    expect(describeFailure(bug)).to.deep.equal({
      exitCode: 4,
      message: "internal error: Cannot read properties of undefined (reading 'length') (a bug: please report it; rerun with --debug for the stack trace)",
    });
    expect(describeFailure("thrown text").message).to.match(/^internal error: thrown text \(a bug/);
    expect(describeFailure(new Error("")).message).to.match(/^internal error: Error \(a bug/);
  });

  it("prints the stack trace of an internal error with --debug", () => {
    const bug = new Error("boom");
    const failure = describeFailure(bug, { debug: true });
    expect(failure.exitCode).to.equal(4);
    expect(failure.message).to.equal(`internal error: ${bug.stack}`);
    expect(failure.message).to.include("    at ");
  });
});
