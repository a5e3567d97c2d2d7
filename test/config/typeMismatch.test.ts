// Type mismatches (zod's invalid_type) said as what to write in the stack file (config/load.ts
// typeMismatchMessage): a list, a mapping, true/false, a number, quoted text, and versions that YAML
// reads as numbers. Never zod's "Invalid input: expected string, received number", never coerced.
import { expect } from "chai";
import { parseStackConfig, typeMismatchMessage } from "../../config/load";
import { configErrorOf, drSettings, expectOneProblem, NS, primarySettings } from "./fixtures";

describe("parseStackConfig: type mismatches say what to write", () => {
  it("a string for a list: must be a list, such as [a, b], with the one-item form", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:monitoring`]: { publicAccessCidrs: "10.0.0.0/8" } }),
      `${NS}:monitoring.publicAccessCidrs`,
      "10.0.0.0/8",
      "must be a list, such as [a, b], not text; for this one item write [10.0.0.0/8]",
    );
  });

  it("a list for a mapping (app, tags): must be a mapping", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: ["t3.small"] }),
      `${NS}:app`,
      ["t3.small"],
      "must be a mapping of keys to values (key: value lines indented under it, or { key: value }), not a list",
    );
    expectOneProblem(primarySettings({ [`${NS}:tags`]: ["CostCenter=platform"] }), `${NS}:tags`, ["CostCenter=platform"], "must be a mapping", "not a list");
  });

  it("yes for a boolean: must be true or false, yes being text in YAML 1.2", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { multiAz: "yes" } }),
      `${NS}:database.multiAz`,
      "yes",
      "must be true or false, not text: yes, no, on and off are text in YAML 1.2, not booleans",
    );
    expectOneProblem(
      drSettings({ [`${NS}:failover`]: { automatic: "true" } }),
      `${NS}:failover.automatic`,
      "true",
      "must be true or false, not text; write true without quotes",
    );
  });

  it("text for a number: keeps the unit, says to write it bare, and how for a quoted number", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: { maxSize: "six" } }),
      `${NS}:app.maxSize`,
      "six",
      "must be a whole number of instances, not text: write a bare number, without quotes or units",
    );
    expectOneProblem(
      primarySettings({ [`${NS}:app`]: { maxSize: "6" } }),
      `${NS}:app.maxSize`,
      "6",
      "must be a whole number of instances, not text: write 6 without quotes",
    );
    expectOneProblem(
      primarySettings({ [`${NS}:recovery`]: { rtoSeconds: "15m" } }),
      `${NS}:recovery.rtoSeconds`,
      "15m",
      "must be a whole number of seconds, not text",
    );
  });

  it("a number for text: must be text; quote it in the stack file", () => {
    expectOneProblem(primarySettings({ [`${NS}:tags`]: { CostCenter: 42 } }), `${NS}:tags.CostCenter`, 42, 'must be text; quote it in the stack file: "42"');
  });

  it('database.engineVersion 17 unquoted: says YAML read it as a number and to write "17"', () => {
    expectOneProblem(
      primarySettings({ [`${NS}:database`]: { engineVersion: 17 } }),
      `${NS}:database.engineVersion`,
      17,
      'must be text, not the number 17: YAML reads an unquoted version as a number (1.30 as the number 1.3, 17 as the number 17), so write the version in quotes: "17"',
    );
  });

  it('monitoring.kubernetesVersion 1.30 unquoted (read as 1.3): says to write "1.30"', () => {
    expectOneProblem(
      drSettings({ [`${NS}:monitoring`]: { kubernetesVersion: 1.3 } }),
      `${NS}:monitoring.kubernetesVersion`,
      1.3,
      "must be text, not the number 1.3: YAML reads an unquoted version as a number",
      'so write the version in quotes: "1.30"',
    );
    expectOneProblem(
      primarySettings({ [`${NS}:monitoring`]: { kubernetesVersion: 1.35 } }),
      `${NS}:monitoring.kubernetesVersion`,
      1.35,
      'write the version in quotes: "1.35"',
    );
  });

  it("an empty value: says to write one or remove the key", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:dns`]: { zoneName: null } }),
      `${NS}:dns.zoneName`,
      null,
      "is empty; write a value or remove the key to take the default",
    );
  });

  it("never prints zod's default wording", () => {
    const error = configErrorOf(() =>
      parseStackConfig(
        primarySettings({
          [`${NS}:app`]: { maxSize: "6", port: [8080] },
          [`${NS}:network`]: { cidrBlock: 10 },
          [`${NS}:monitoring`]: { alertEmails: "ops@example.com", kubernetesVersion: 1.3 },
          [`${NS}:tags`]: { Team: true },
        }),
        "t",
      ),
    );
    expect(error.problems.map((problem) => problem.key)).to.deep.equal(
      ["network.cidrBlock", "app.maxSize", "app.port", "monitoring.kubernetesVersion", "monitoring.alertEmails", "tags.Team"].map((path) => `${NS}:${path}`),
    );
    expect(error.message).to.not.match(/Invalid input|expected \w+, received/);
  });

  it("gives a value of the wrong type one problem, not also the checks of the right type (a list's length on a string)", () => {
    expectOneProblem(
      primarySettings({ [`${NS}:monitoring`]: { alertEmails: "ops-team@example.com" } }),
      `${NS}:monitoring.alertEmails`,
      "ops-team@example.com",
      "must be a list",
    );
  });

  it("keeps the message of a missing required key", () => {
    const error = configErrorOf(() => parseStackConfig(primarySettings({ "aws:region": undefined }), "t"));
    expect(error.problems).to.deep.equal([{ key: "aws:region", value: undefined, message: "is required; set aws:region" }]);
  });
});

describe("typeMismatchMessage", () => {
  it("leaves expected types it does not know to the schema's message", () => {
    expect(typeMismatchMessage("int", 0.5, "app.maxSize", "must be a whole number of instances")).to.equal(undefined);
  });

  it("says a mapping for a number is not a number, without a quoted form", () => {
    expect(typeMismatchMessage("number", { a: 1 }, "app.port", "must be a whole number of port number")).to.equal(
      "must be a whole number of port number, not a mapping: write a bare number, without quotes or units",
    );
  });
});
