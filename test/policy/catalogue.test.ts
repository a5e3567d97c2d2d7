/**
 * The pack's catalogue: every policy named in kebab-case, unique, described with its source, with an
 * enforcement level, and listed in the policy table of docs/policy-pack.md at that level.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { ALL_POLICIES, POLICY_GROUPS } from "../../policy/policies";

/** Source markers a description must cite one of (checks.md abbreviations and AWS guides). */
const SOURCES = /\b(AG|SH|CKV\w*|WA|compliance-policies|DR invariants?|Route 53|RDS|design|data residency)\b/;

describe("policy pack catalogue", () => {
  it("names every policy once, in kebab-case", () => {
    const names = ALL_POLICIES.map((policy) => policy.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const name of names) expect(name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("gives every policy a one-line description citing its source and an explicit enforcement level", () => {
    for (const policy of ALL_POLICIES) {
      expect(policy.description, policy.name).to.match(SOURCES);
      expect(policy.description, policy.name).to.not.include("\n");
      expect(["advisory", "mandatory"], policy.name).to.include(policy.enforcementLevel);
    }
  });

  it("makes DR and data policies mandatory", () => {
    const mandatory = new Set(ALL_POLICIES.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name));
    for (const name of [
      "dr-replica-wiring",
      "dr-failover-pair",
      "s3-replication-cross-region",
      "dr-recovery-objectives-declared",
      "dr-region-isolation",
      "stateful-resources-protected",
      "rds-backup-retention",
      "s3-versioning-enabled",
    ]) {
      expect(mandatory.has(name), name).to.equal(true);
    }
  });

  it("groups policies by concern, each in exactly one group", () => {
    const grouped = Object.values(POLICY_GROUPS).flat();
    expect(grouped.length).to.equal(ALL_POLICIES.length);
  });

  it("lists every policy in the table of docs/policy-pack.md with its level", () => {
    const readme = readFileSync(path.join(__dirname, "..", "..", "docs", "policy-pack.md"), "utf8");
    for (const policy of ALL_POLICIES) {
      // The policy table's row: name, concern, what, level, source (the settings table also names some policies).
      const rows = readme
        .split("\n")
        .filter((line) => line.startsWith(`| \`${policy.name}\` `))
        .map((line) => line.split("|").map((cell) => cell.trim()))
        .filter((cells) => cells.length === 7);
      expect(rows, `docs/policy-pack.md policy-table row for ${policy.name}`).to.have.length(1);
      expect(rows[0][4], policy.name).to.equal(policy.enforcementLevel);
    }
  });
});
