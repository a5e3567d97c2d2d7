// Losing the DR region's monitoring pages from the primary region (issue 24, item 3): the primary stack
// builds the DR region's dead man's switch in its own region (heartbeat topic, an alarm treating
// missing data as breaching, the topic it pages), exports it as `drMonitoringHeartbeat`, and the DR
// stack's Alertmanager sends Watchdog there with a role allowed to publish to it. Invariant 8 accepts
// that one cross-region ARN and no other; a strategy without a DR monitoring cluster gets no switch.
import * as path from "node:path";
import { expect } from "chai";
import { checkRegionIsolation } from "../../invariants/regionIsolation";
import type { StackPlan } from "../../synth/recordStack";
import { synthesize, type SynthesisResult } from "../../synth/synthesize";
import { editedStackFiles } from "../fixtures/stackFiles";
import { copyOf, synthesizedStacks } from "../policy/fixtures";
import { synthesizedOnce } from "../fixtures/synthesis";
import { named } from "../fixtures/plannedResources";

const ROOT = path.join(__dirname, "..", "..");
type Receiver = { name: string; sns_configs?: { topic_arn: string; sigv4?: { region: string } }[] };
const receiversOf = (plan: StackPlan) =>
  (named(plan, "dr-prometheus-grafana-release").inputs.values as { alertmanager: { config: { receivers: Receiver[] } } }).alertmanager.config.receivers;

describe("the DR region's monitoring, watched from the primary region", function () {
  this.timeout(120_000);
  let result: SynthesisResult;
  let target: { topicArn: string; keyArn: string; region: string };

  before(async () => {
    result = await synthesizedStacks();
    target = result.primary.outputs.drMonitoringHeartbeat as typeof target;
  });

  it("is built by the primary stack in the primary region and exported to the DR stack", () => {
    expect(target.region).to.equal("us-east-1");
    expect(target.topicArn).to.match(/^arn:aws:sns:us-east-1:\d{12}:/);
    expect(target.keyArn).to.match(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    const alarm = named(result.primary, "dr-monitoring-from-primary-heartbeat-silent");
    expect(alarm.region).to.equal("us-east-1");
    expect(alarm.inputs).to.include({ treatMissingData: "breaching", namespace: "AWS/SNS", metricName: "NumberOfMessagesPublished" });
    const page = named(result.primary, "dr-monitoring-from-primary-watch-alerts-topic");
    expect(alarm.inputs.alarmActions).to.deep.equal([page.outputs.arn]);
  });

  it("receives the DR stack's Watchdog: the heartbeat receiver signs for the primary region's topic", () => {
    const heartbeat = receiversOf(result.dr).find((receiver) => receiver.name === "heartbeat");
    expect(heartbeat?.sns_configs?.[0].topic_arn).to.equal(target.topicArn);
    expect(heartbeat?.sns_configs?.[0].sigv4?.region).to.equal("us-east-1");
    const policy = JSON.stringify(named(result.dr, "dr-prometheus-grafana-alertmanager-policy").inputs.policy);
    expect(policy).to.include(target.topicArn).and.include(target.keyArn);
  });

  it("is the one cross-region ARN invariant 8 accepts in the DR stack's chart values", () => {
    expect(checkRegionIsolation(result).violations).to.deep.equal([]);
    const dr = copyOf(result.dr);
    const receivers = receiversOf(dr);
    const page = receivers.find((receiver) => receiver.name === "sns")!;
    page.sns_configs![0].topic_arn = target.topicArn;
    expect(checkRegionIsolation({ primary: result.primary, dr }).violations.join("\n")).to.match(
      /dr-prometheus-grafana-release: values\.alertmanager\.config\.receivers\[\d\]\.sns_configs\[0\]\.topic_arn uses arn:aws:sns:us-east-1/,
    );
  });

  it("arms the primary's own switch only after its Alertmanager is deployed (no page on a fresh deploy)", () => {
    const alarm = named(result.primary, "primary-monitoring-heartbeat-silent");
    expect(alarm.region).to.equal("us-west-2");
    expect(alarm.dependencies).to.include(named(result.primary, "primary-prometheus-grafana-release").urn);
  });

  it("is kept as it is in the outage mode: dropping it would update IAM, whose control plane may be the failed region's", async () => {
    const edit = (config: Record<string, unknown>) => {
      config[`multi-region-dr:database`] = { ...(config["multi-region-dr:database"] as object), promoted: true };
      config["multi-region-dr:outage"] = { primaryRegionDown: true };
    };
    const outage = await synthesize({ projectDirectory: ROOT, ...editedStackFiles(() => undefined, edit) });
    expect(receiversOf(outage.dr)).to.deep.equal(receiversOf(result.dr));
  });

  it("puts no load balancer alarm in a pilot-light DR region, whose ALB answers Route 53's checks with 503s", async () => {
    const pilotLight = await synthesizedOnce({ projectDirectory: ROOT, strategy: "pilot-light" });
    const albAlarms = (plan: StackPlan) => plan.resources.filter((resource) => /-alb-(5xx|no-healthy-hosts)$/.test(String(resource.inputs.name ?? "")));
    expect(albAlarms(pilotLight.dr)).to.deep.equal([]);
    expect(albAlarms(pilotLight.primary).map((alarm) => alarm.inputs.treatMissingData)).to.have.members(["notBreaching", "breaching"]);
    expect(albAlarms(result.dr)).to.have.length(2);
  });

  it("is not built when the DR region runs no monitoring cluster (backup-restore)", async () => {
    const backupRestore = await synthesizedOnce({ projectDirectory: ROOT, strategy: "backup-restore" });
    expect(backupRestore.primary.outputs).to.not.have.property("drMonitoringHeartbeat");
    expect(backupRestore.primary.resources.filter((resource) => resource.name.startsWith("dr-monitoring-from-primary"))).to.deep.equal([]);
  });
});
