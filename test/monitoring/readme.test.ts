/**
 * docs/monitoring.md says what the code does: a runbook section for every alert the
 * rules link to, and the chart and node exporter versions the code pins.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ALERT_NAMES, alertRunbookAnchor } from "../../monitoring/alertRules";
import { KUBE_PROMETHEUS_STACK } from "../../monitoring/chartValues";
import { NODE_EXPORTER_RELEASE } from "../../components/userData";

const readme = readFileSync(path.resolve(__dirname, "..", "..", "docs", "monitoring.md"), "utf8");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

const anchors = new Set(
  readme
    .split("\n")
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => githubAnchor(line.replace(/^#+ /, ""))),
);

describe("docs/monitoring.md", () => {
  for (const alert of ALERT_NAMES) {
    it(`has the runbook section ${alert}'s rule links to`, () => {
      const anchor = alertRunbookAnchor(alert).replace(/^docs\/monitoring\.md#/, "");
      expect(anchors.has(anchor), `no heading with anchor #${anchor}`).to.equal(true);
    });
  }

  it("the anchor check fails for an alert without a section (negative control)", () => {
    expect(anchors.has(alertRunbookAnchor("AppNoSuchAlert").replace(/^docs\/monitoring\.md#/, ""))).to.equal(false);
  });

  it("names the pinned chart and node exporter versions", () => {
    expect(readme).to.include(`kube-prometheus-stack ${KUBE_PROMETHEUS_STACK.version}`);
    expect(readme).to.include(`node exporter ${NODE_EXPORTER_RELEASE.version}`);
  });
});
