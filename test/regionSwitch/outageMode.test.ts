/**
 * The outage mode of a Region switch pair whose primary is us-east-1 (DESIGN.md, "The outage model"):
 * the plan's health checks are looked up through ARC's control plane, homed in us-east-1
 * (ListRoute53HealthChecks), so the outage mode takes them from `outage.regionSwitchHealthCheckIds`
 * and attaches exactly those to the failover records; without them it is a config error naming the key.
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { outageHealthCheckIds, REGION_SWITCH_CONTROL_PLANE_REGION } from "../../stacks/recovery";
import { synthesize } from "../../synth/synthesize";
import { editedStackFiles } from "../fixtures/stackFiles";
import * as path from "node:path";

const NS = "multi-region-dr";
const projectDirectory = path.resolve(__dirname, "..", "..");
const SAVED = { primary: "0b71b87a-ea20-0a01-df5f-3f7fcf189a7c", secondary: "c178ab3b-1894-0a01-df5f-e88ac53047ef" };

function outagePair(ids?: typeof SAVED) {
  return editedStackFiles(
    () => undefined,
    (config: Record<string, unknown>) => {
      config[`${NS}:recovery`] = { ...(config[`${NS}:recovery`] as object), orchestrator: "region-switch" };
      config[`${NS}:database`] = { ...(config[`${NS}:database`] as object | undefined), promoted: true };
      config[`${NS}:outage`] = { primaryRegionDown: true, ...(ids ? { regionSwitchHealthCheckIds: ids } : {}) };
    },
  );
}

describe("Region switch in the outage mode of a us-east-1 primary", () => {
  it("attaches the saved health-check ids to the failover records, with no lookup", async () => {
    const result = await synthesize({ projectDirectory, ...outagePair(SAVED) });
    expect(result.primary.region).to.equal(REGION_SWITCH_CONTROL_PLANE_REGION);
    const checks = result.dr.resources.filter((resource) => resource.type === "aws:route53/healthCheck:HealthCheck" && resource.inputs.type === "CALCULATED");
    const children = checks.flatMap((check) => check.inputs.childHealthchecks as string[]);
    expect(children).to.include(SAVED.primary).and.to.include(SAVED.secondary);
    expect(result.invariants.filter((invariant) => invariant.violations.length > 0).map((invariant) => invariant.id)).to.deep.equal([]);
  });

  it("lists the primary-region action function for the way back, and adopts it without its package (not read back on import)", async () => {
    const files = (outage: Record<string, unknown>) =>
      editedStackFiles(
        () => undefined,
        (config: Record<string, unknown>) => {
          config[`${NS}:recovery`] = { ...(config[`${NS}:recovery`] as object), orchestrator: "region-switch" };
          config[`${NS}:database`] = { ...(config[`${NS}:database`] as object | undefined), promoted: true };
          config[`${NS}:outage`] = outage;
        },
      );
    const normal = await synthesize({ projectDirectory, ...files({ primaryRegionDown: false }) });
    const ids = normal.dr.outputs.primaryRegionResourceIds as Record<string, string>;
    const name = Object.keys(ids).find((candidate) => candidate.startsWith("dr-region-switch") && candidate.includes("function"));
    expect(name, Object.keys(ids).join(", ")).to.be.a("string");
    const back = await synthesize({ projectDirectory, ...files({ primaryRegionDown: false, adopt: { [name as string]: ids[name as string] } }) });
    const adopted = back.dr.resources.find((resource) => resource.name === name);
    expect(adopted?.ignoreChanges).to.include("code");
  });

  it("refuses the outage mode without them, naming outage.regionSwitchHealthCheckIds", () => {
    const config = { outage: { primaryRegionDown: true, adopt: {} } } as Parameters<typeof outageHealthCheckIds>[0];
    let caught: unknown;
    try {
      outageHealthCheckIds(config, "us-east-1");
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect(String((caught as Error).message) + JSON.stringify((caught as ConfigError).problems)).to.include(`${NS}:outage.regionSwitchHealthCheckIds`);
  });

  it("looks them up outside the outage mode, and in the outage mode of a primary elsewhere when none are saved", () => {
    expect(outageHealthCheckIds({ outage: { primaryRegionDown: false, adopt: {}, regionSwitchHealthCheckIds: SAVED } }, "us-east-1")).to.equal(undefined);
    expect(outageHealthCheckIds({ outage: { primaryRegionDown: true, adopt: {} } }, "eu-west-1")).to.equal(undefined);
    expect(outageHealthCheckIds({ outage: { primaryRegionDown: true, adopt: {}, regionSwitchHealthCheckIds: SAVED } }, "eu-west-1")).to.deep.equal(SAVED);
  });
});
