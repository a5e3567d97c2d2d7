// `monitoring.runbookBaseUrl` (issue 24, item 5): with it, every alert rule the stack deploys carries
// the standard absolute `runbook_url` annotation to its section of docs/monitoring.md; a value that is
// not an absolute http(s) URL is a config error naming the key.
import * as path from "node:path";
import { expect } from "chai";
import type { PlannedResource } from "../../synth/recordStack";
import { synthesize } from "../../synth/synthesize";
import { editedStackFiles } from "../fixtures/stackFiles";
import { expectOneProblem, NS, primarySettings } from "../config/fixtures";

const BASE = "https://github.com/acme/multi-region-dr/blob/main";

describe("monitoring.runbookBaseUrl", function () {
  this.timeout(120_000);

  it("refuses a value that is not an absolute http(s) URL", () => {
    for (const value of ["docs/monitoring.md", "ftp://example.com/repo"]) {
      expectOneProblem(primarySettings({ [`${NS}:monitoring`]: { runbookBaseUrl: value } }), `${NS}:monitoring.runbookBaseUrl`, value, "absolute http(s) URL");
    }
  });

  it("gives every deployed alert rule of both stacks an absolute runbook_url to its docs section", async () => {
    const setBase = (config: Record<string, Record<string, unknown>>) => {
      config[`${NS}:monitoring`] = { ...(config[`${NS}:monitoring`] ?? {}), runbookBaseUrl: BASE };
    };
    const result = await synthesize({ projectDirectory: path.join(__dirname, "..", ".."), ...editedStackFiles(setBase, setBase) });
    for (const plan of [result.primary, result.dr]) {
      const release = plan.resources.find((resource: PlannedResource) => resource.type === "kubernetes:helm.sh/v3:Release");
      const groups = (
        release?.inputs.values as {
          additionalPrometheusRulesMap: Record<string, { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] }>;
        }
      ).additionalPrometheusRulesMap;
      const alerts = Object.values(groups).flatMap((rules) => rules.groups.flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined)));
      expect(alerts.length, plan.stack).to.be.greaterThan(3);
      for (const rule of alerts) expect(rule.annotations?.runbook_url, rule.alert).to.equal(`${BASE}/docs/monitoring.md#alert-${rule.alert!.toLowerCase()}`);
    }
  });
});
