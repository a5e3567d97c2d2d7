/**
 * The DR stack's recovery layer as synthesized from the real stack files (and a few edited copies):
 * the failover, failback and drill state machines carry exactly the definitions and role policies
 * the code derives from the exported recovery targets; the targets match the plans of both stacks;
 * the primary-region operations function, the DR signal alarms and their topics are wired to the
 * right resources and regions; automatic failover is off unless configured; and the config
 * switches that keep a deploy from undoing a failover or a failback build the database as expected.
 *
 * Five synthesis runs, each shared by the tests that need it: the default pair; automatic failover
 * (with another cool-down, RPO and DR maximum); after a failover (DR database promoted); during a
 * failback (primary rebuilt as a replica of the promoted DR database); after a failback (primary
 * replica promoted, DR rebuilt as a replica).
 */
import { expect } from "chai";
import * as path from "node:path";
import { notificationTopicPolicy, policyDocument, serviceTrustPolicy } from "../components/policyDocuments";
import { AUTOMATIC_FAILOVER_INPUT, PRIMARY_REGION_FUNCTION_RUNTIME } from "../components/recoveryWorkflows";
import { resourcePrefix } from "../config/conventions";
import { ConfigError } from "../config/errors";
import { parseStackConfig } from "../config/load";
import type { DrConfig, PrimaryConfig } from "../config/schema";
import { arnRegion } from "../invariants/plan";
import { DR_SIGNALS } from "../policy/policies/dnsFailover";
import type { Definition } from "../recovery/asl";
import { drillDefinition } from "../recovery/drill";
import { failbackDefinition } from "../recovery/failback";
import { failoverDefinition } from "../recovery/failover";
import { recoveryResourceNames, stateMachineArn, stateMachineName, type Workflow, WORKFLOWS } from "../recovery/names";
import { primaryRegionFunctionPolicy, stateMachinePolicy } from "../recovery/permissions";
import { PRIMARY_REGION_ENVIRONMENT } from "../recovery/primaryRegion";
import type { RecoveryTargets } from "../recovery/targets";
import { ROUTE53_METRICS_REGION } from "../stacks/recovery";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { readStackConfigFile } from "../synth/stackFile";
import { editedStackFile } from "./fixtures/stackFiles";
import { synthesize, type SynthesisResult } from "../synth/synthesize";
import { editedSynthesis, synthesizedOnce } from "./fixtures/synthesis";

const projectDirectory = path.resolve(__dirname, "..");
const NS = "multi-region-dr";

const TYPES = {
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  lambda: "aws:lambda/function:Function",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  eventSubscription: "aws:rds/eventSubscription:EventSubscription",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  database: "aws:rds/instance:Instance",
  key: "aws:kms/key:Key",
  zone: "aws:route53/zone:Zone",
  record: "aws:route53/record:Record",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  group: "aws:autoscaling/group:Group",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
} as const;

/** The stack files' own config, with every default filled in: the expected values come from here. */
const drConfig = parseStackConfig(readStackConfigFile(path.join(projectDirectory, "Pulumi.dr.yaml")), "dr") as DrConfig;
const primaryConfig = parseStackConfig(readStackConfigFile(path.join(projectDirectory, "Pulumi.primary.yaml")), "primary") as PrimaryConfig;
const PREFIX = resourcePrefix("dr", "dr");
const NAMES = recoveryResourceNames(PREFIX);

/** Values the automatic-failover run sets, each different from its default. */
const AUTOMATIC = { cooldownSeconds: 1800, rpoSeconds: 120, drMaxSize: 8 };

function ofType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}

/** Not a part of the replication heartbeat (its schedule and target live beside the trigger's rules). */
/** Not one of the scheduled functions' rules and targets (the heartbeat's, the probe's): they invoke a function, never a workflow. */
function notHeartbeat(resource: PlannedResource): boolean {
  return !resource.name.startsWith("dr-heartbeat-") && !resource.name.startsWith("dr-primary-probe-");
}

function only(plan: StackPlan, type: string, where: (resource: PlannedResource) => boolean = () => true): PlannedResource {
  const found = ofType(plan, type).filter(where);
  expect(
    found.map((resource) => resource.name),
    `${plan.stack} resources of ${type}`,
  ).to.have.length(1);
  return found[0];
}

const stackFile = editedStackFile;

/** Merges `values` into the object-valued config key `multi-region-dr:<key>`. */
function setIn(config: Record<string, unknown>, key: string, values: Record<string, unknown>): void {
  config[`${NS}:${key}`] = { ...((config[`${NS}:${key}`] as Record<string, unknown> | undefined) ?? {}), ...values };
}

/** A definition as it travels through JSON (what the state machine's `definition` input holds). */
function asJson(definition: Definition): unknown {
  return JSON.parse(JSON.stringify(definition));
}

function expectedDefinition(workflow: Workflow, targets: RecoveryTargets, cooldownSeconds: number): Definition {
  if (workflow === "failover") return failoverDefinition(targets, cooldownSeconds);
  return workflow === "failback" ? failbackDefinition(targets) : drillDefinition(targets);
}

function targetsOf(result: SynthesisResult): RecoveryTargets {
  return result.dr.outputs.recoveryTargets as RecoveryTargets;
}

/** The only inline policy of a role (matched through `role`, which holds the role's id, i.e. its name), and no managed policy. */
function inlinePolicyOf(plan: StackPlan, role: PlannedResource): unknown {
  expect(role.id, `${role.name}: a role's id is its name`).to.equal(role.outputs.name);
  const attachments = ofType(plan, TYPES.rolePolicyAttachment).filter((attachment) => [role.id, role.outputs.arn].includes(attachment.inputs.role as string));
  expect(
    attachments.map((attachment) => attachment.name),
    `${role.name} managed policies`,
  ).to.deep.equal([]);
  return JSON.parse(String(only(plan, TYPES.rolePolicy, (policy) => policy.inputs.role === role.id).inputs.policy));
}

function roleWithArn(plan: StackPlan, arn: unknown): PlannedResource {
  return only(plan, TYPES.role, (role) => role.outputs.arn === arn);
}

/** Mandatory policy-pack findings on both stacks, as `<stack> <policy> <resource>: <message>`. */
function mandatoryViolations(result: SynthesisResult): string[] {
  return [result.policies.primary, result.policies.dr].flatMap((report) =>
    report.violations
      .filter((violation) => violation.enforcementLevel === "mandatory")
      .map((violation) => `${report.stack} ${violation.policy}: ${violation.message}`),
  );
}

/** The automatic-failover run, synthesized once (per process) for the alarm and the automatic-failover tests. */
function synthesizeAutomatic(): Promise<SynthesisResult> {
  return editedSynthesis({
    primary: (config) => setIn(config, "recovery", { rpoSeconds: AUTOMATIC.rpoSeconds }),
    dr: (config) => {
      setIn(config, "failover", { automatic: true, cooldownSeconds: AUTOMATIC.cooldownSeconds });
      setIn(config, "recovery", { rpoSeconds: AUTOMATIC.rpoSeconds });
      setIn(config, "app", { maxSize: AUTOMATIC.drMaxSize });
    },
  });
}

function failingInvariants(result: SynthesisResult): { id: number; violations: string[] }[] {
  return result.invariants.filter((invariant) => invariant.violations.length > 0).map(({ id, violations }) => ({ id, violations }));
}

/** Synthesizes the pair (once per process) with `multi-region-dr:database` of either stack file replaced (the failover and failback switches). */
function synthesizeWithDatabases({
  primary: primaryDatabase,
  dr: drDatabase,
}: {
  primary?: Record<string, unknown>;
  dr?: Record<string, unknown>;
}): Promise<SynthesisResult> {
  return editedSynthesis({
    primary: primaryDatabase && ((config) => setIn(config, "database", primaryDatabase)),
    dr: drDatabase && ((config) => setIn(config, "database", drDatabase)),
  });
}

describe("the DR stack's recovery layer, synthesized", () => {
  let base: SynthesisResult;
  let dr: StackPlan;
  let primary: StackPlan;
  let targets: RecoveryTargets;
  let automatic: SynthesisResult;

  before(async () => {
    base = await synthesizedOnce({ projectDirectory });
    ({ dr, primary } = base);
    targets = targetsOf(base);
  });

  describe("the failover, failback and drill state machines", () => {
    it("are exactly three STANDARD machines <prefix>-failover|failback|drill in the DR region, logging ALL with data to one encrypted log group, traced", () => {
      const machines = ofType(dr, TYPES.stateMachine);
      expect(machines.map((machine) => machine.inputs.name).sort()).to.deep.equal(WORKFLOWS.map((workflow) => `${PREFIX}-${workflow}`).sort());
      const logGroup = only(dr, TYPES.logGroup, (group) => group.inputs.name === `/aws/vendedlogs/states/${PREFIX}-recovery`);
      expect(logGroup.region).to.equal("us-west-2");
      expect(logGroup.inputs.kmsKeyId).to.equal(dr.outputs.kmsKeyArn);
      expect(logGroup.inputs.retentionInDays).to.equal(drConfig.network.flowLogRetentionDays);
      for (const machine of machines) {
        expect(machine.region, machine.name).to.equal("us-west-2");
        expect(machine.inputs.type, machine.name).to.equal("STANDARD");
        expect(machine.inputs.loggingConfiguration, machine.name).to.deep.equal({
          level: "ALL",
          includeExecutionData: true,
          logDestination: `${logGroup.outputs.arn}:*`,
        });
        expect(machine.inputs.tracingConfiguration, machine.name).to.deep.equal({ enabled: true });
      }
      expect(dr.outputs.failoverStateMachineArn).to.equal(only(dr, TYPES.stateMachine, (machine) => machine.inputs.name === `${PREFIX}-failover`).outputs.arn);
      expect(dr.outputs.failbackStateMachineArn).to.equal(only(dr, TYPES.stateMachine, (machine) => machine.inputs.name === `${PREFIX}-failback`).outputs.arn);
      expect(dr.outputs.drillStateMachineArn).to.equal(only(dr, TYPES.stateMachine, (machine) => machine.inputs.name === `${PREFIX}-drill`).outputs.arn);
    });

    for (const workflow of WORKFLOWS) {
      it(`${workflow}: deploys exactly the definition the code builds from the exported recovery targets`, () => {
        const machine = only(dr, TYPES.stateMachine, (resource) => resource.inputs.name === stateMachineName(PREFIX, workflow));
        const deployed = JSON.parse(String(machine.inputs.definition)) as Definition;
        expect(deployed).to.deep.equal(asJson(expectedDefinition(workflow, targets, drConfig.failover.cooldownSeconds)));
        if (workflow === "failover") expect(deployed.States["Cool down"]).to.include({ Type: "Wait", Seconds: drConfig.failover.cooldownSeconds });
      });

      it(`${workflow}: runs as its own role, trusted by Step Functions of this account only, whose one inline policy is stateMachinePolicy(definition)`, () => {
        const machine = only(dr, TYPES.stateMachine, (resource) => resource.inputs.name === stateMachineName(PREFIX, workflow));
        const role = roleWithArn(dr, machine.inputs.roleArn);
        const others = ofType(dr, TYPES.stateMachine).filter((other) => other !== machine);
        expect(others.map((other) => other.inputs.roleArn)).to.not.include(machine.inputs.roleArn);
        expect(JSON.parse(String(role.inputs.assumeRolePolicy))).to.deep.equal(serviceTrustPolicy("states.amazonaws.com", MOCK_ACCOUNT_ID));
        expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Condition).to.deep.equal({
          StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
        });
        const arn = stateMachineArn(targets.partition, "us-west-2", MOCK_ACCOUNT_ID, String(machine.inputs.name));
        const definition = JSON.parse(String(machine.inputs.definition)) as Definition;
        const expected = stateMachinePolicy(definition, targets, arn, { topicKeyArn: String(dr.outputs.kmsKeyArn) });
        expect(inlinePolicyOf(dr, role)).to.deep.equal(expected);
        expect(JSON.stringify(expected)).to.contain(String(dr.outputs.kmsKeyArn));
      });
    }
  });

  describe("the exported recovery targets", () => {
    it("name the DR plan's replica, Auto Scaling Group, target group, load balancer, health check, private zone and topic", () => {
      const replica = only(dr, TYPES.database);
      expect(targets.replica).to.deep.equal({
        identifier: replica.outputs.identifier,
        arn: replica.outputs.arn,
        backupRetentionDays: drConfig.database.backupRetentionDays,
      });
      expect(targets.replica.identifier).to.equal(dr.outputs.replicaIdentifier);
      const group = only(dr, TYPES.group);
      expect(targets.drAutoScalingGroup.name).to.equal(group.outputs.name);
      expect(targets.drAutoScalingGroup.arn).to.equal(group.outputs.arn);
      expect(targets.drTargetGroupArn).to.equal(only(dr, TYPES.targetGroup).outputs.arn);
      const loadBalancer = only(dr, TYPES.loadBalancer);
      expect(targets.drLoadBalancer).to.deep.equal({ dnsName: loadBalancer.outputs.dnsName, zoneId: loadBalancer.outputs.zoneId });
      // The PRIMARY record's check (endpoint and fence), which the workflows write on the records they UPSERT.
      expect(targets.dns.healthCheckId).to.equal(only(dr, TYPES.healthCheck, (check) => check.name === "failover-primary-record-health").id);
      expect(targets.fence.alarmName).to.equal(only(dr, TYPES.alarm, (alarm) => alarm.name === "failover-fence").inputs.name);
      const privateZone = only(dr, TYPES.zone, (zone) => zone.parent === "dr-db-name");
      expect(targets.databaseName).to.deep.equal({
        fqdn: "db.app.internal",
        drZoneId: privateZone.outputs.zoneId,
        primaryZoneId: primary.outputs.databaseZoneId,
      });
      expect(targets.topicArn).to.equal(
        only(dr, TYPES.topic, (topic) => topic.region === "us-west-2" && topic.name.startsWith("dr-notifications")).outputs.arn,
      );
      expect(targets.topicArn).to.equal(dr.outputs.notificationTopicArn);
      expect(targets).to.include({ partition: "aws", accountId: MOCK_ACCOUNT_ID, drRegion: "us-west-2", primaryRegion: "us-east-1" });
      expect(targets).to.include({ rtoSeconds: drConfig.recovery.rtoSeconds, rpoSeconds: drConfig.recovery.rpoSeconds });
      expect(targets.alarms).to.deep.equal({
        replicaLagOverRpo: NAMES.replicaLagOverRpoAlarm,
        drillAbort: [NAMES.unhealthyTargetsAlarm, NAMES.targetErrorsAlarm],
      });
      expect(targets.drill).to.deep.equal({ trafficPercent: drConfig.failover.drillTrafficPercent, durationSeconds: drConfig.failover.drillDurationSeconds });
    });

    it("name the primary plan's database, Auto Scaling Group, target group, load balancer, zones and capacity", () => {
      expect(targets.primary).to.deep.equal({
        databaseIdentifier: primary.outputs.dbIdentifier,
        databaseArn: primary.outputs.dbArn,
        autoScalingGroupName: primary.outputs.autoScalingGroupName,
        targetGroupArn: primary.outputs.targetGroupArn,
        capacity: { minSize: primary.outputs.appMinSize, desiredCapacity: primary.outputs.appDesiredCapacity, maxSize: primary.outputs.appMaxSize },
      });
      const database = only(primary, TYPES.database);
      expect(targets.primary.databaseIdentifier).to.equal(database.outputs.identifier);
      expect(targets.primary.databaseArn).to.equal(database.outputs.arn);
      expect(targets.primaryLoadBalancer).to.deep.equal({ dnsName: primary.outputs.albDnsName, zoneId: primary.outputs.albZoneId });
      expect(targets.dns).to.include({
        hostedZoneId: primary.outputs.hostedZoneId,
        applicationName: primary.outputs.applicationName,
        primarySetIdentifier: "primary-us-east-1",
        drillPoolName: `drill-pool.${primary.outputs.applicationName}`,
      });
      const primaryRecord = only(
        dr,
        TYPES.record,
        (record) => (record.inputs.failoverRoutingPolicies as { type: string }[] | undefined)?.[0]?.type === "PRIMARY",
      );
      expect(primaryRecord.inputs.setIdentifier).to.equal(targets.dns.primarySetIdentifier);
    });

    it("scale the DR group from its standby capacity to the primary's minimum and desired, and the larger of the two maximums", () => {
      // warm-standby's standby capacity (config/strategies.ts): 1 and 1, the configured maximum.
      expect(targets.drAutoScalingGroup.standby).to.deep.equal({
        minSize: 1,
        desiredCapacity: 1,
        maxSize: drConfig.app.maxSize,
      });
      expect(targets.drAutoScalingGroup.recovery).to.deep.equal({
        minSize: primaryConfig.app.minSize,
        desiredCapacity: primaryConfig.app.desiredCapacity,
        maxSize: Math.max(primaryConfig.app.maxSize, drConfig.app.maxSize),
      });
      expect(targets.drAutoScalingGroup.recovery.minSize, "the standby must not already be at the primary's size").to.not.equal(
        targets.drAutoScalingGroup.standby.minSize,
      );
    });

    it("point at the function the stack deploys (the ARN AWS gives a function of that name; the mock's ARN has another form)", () => {
      const operations = only(dr, TYPES.lambda, (resource) => resource.name === "dr-recovery-primary-region-operations");
      expect(targets.primaryRegionFunctionArn).to.equal(`arn:aws:lambda:${operations.region}:${MOCK_ACCOUNT_ID}:function:${operations.inputs.name}`);
      expect(arnRegion(String(operations.outputs.arn))).to.equal(arnRegion(targets.primaryRegionFunctionArn));
    });
  });

  describe("the primary-region operations function", () => {
    it("runs nodejs22.x primaryRegionOperations.handler in the DR region with the primary's resources in its environment", () => {
      const operations = only(dr, TYPES.lambda, (resource) => resource.name === "dr-recovery-primary-region-operations");
      expect(operations.region).to.equal("us-west-2");
      expect(operations.inputs).to.include({
        name: NAMES.primaryRegionFunction,
        runtime: PRIMARY_REGION_FUNCTION_RUNTIME,
        handler: "primaryRegionOperations.handler",
      });
      expect(PRIMARY_REGION_FUNCTION_RUNTIME).to.equal("nodejs22.x");
      expect((operations.inputs.environment as { variables: Record<string, string> }).variables).to.deep.equal({
        [PRIMARY_REGION_ENVIRONMENT.region]: primary.outputs.region,
        [PRIMARY_REGION_ENVIRONMENT.databaseIdentifier]: primary.outputs.dbIdentifier,
        [PRIMARY_REGION_ENVIRONMENT.autoScalingGroupName]: primary.outputs.autoScalingGroupName,
        [PRIMARY_REGION_ENVIRONMENT.targetGroupArn]: primary.outputs.targetGroupArn,
        // Failback's catch-up proof: the primary region's replication heartbeat function, as the primary stack exports it.
        [PRIMARY_REGION_ENVIRONMENT.heartbeatFunctionArn]: primary.outputs.dbHeartbeatFunctionArn,
      });
      // The Aurora global database's variables belong to the aurora-global engine mode only.
      const variables = Object.keys((operations.inputs.environment as { variables: Record<string, string> }).variables);
      const auroraOnly = Object.values(PRIMARY_REGION_ENVIRONMENT).filter((name) => !variables.includes(name));
      expect(auroraOnly.sort()).to.deep.equal(["DR_CLUSTER_ARN", "GLOBAL_CLUSTER_IDENTIFIER"]);
    });

    it("logs to its own explicit /aws/lambda/<name> group, encrypted with the DR key and with a retention", () => {
      const operations = only(dr, TYPES.lambda, (resource) => resource.name === "dr-recovery-primary-region-operations");
      const logGroup = only(dr, TYPES.logGroup, (group) => group.inputs.name === `/aws/lambda/${operations.inputs.name}`);
      expect(logGroup.region).to.equal("us-west-2");
      expect(logGroup.inputs).to.include({ retentionInDays: drConfig.network.flowLogRetentionDays, kmsKeyId: dr.outputs.kmsKeyArn });
      // Under mocks a log group's `name` output is a generated id; the wiring is what counts.
      expect(operations.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.outputs.name });
      expect(operations.dependencies).to.include(logGroup.urn);
    });

    it("runs as a role trusted by Lambda whose one inline policy is primaryRegionFunctionPolicy(targets)", () => {
      const operations = only(dr, TYPES.lambda, (resource) => resource.name === "dr-recovery-primary-region-operations");
      const role = roleWithArn(dr, operations.inputs.role);
      expect(JSON.parse(String(role.inputs.assumeRolePolicy))).to.deep.equal(serviceTrustPolicy("lambda.amazonaws.com"));
      expect(inlinePolicyOf(dr, role)).to.deep.equal(primaryRegionFunctionPolicy(targets));
      expect(ofType(dr, TYPES.stateMachine).map((machine) => machine.inputs.roleArn)).to.not.include(operations.inputs.role);
    });
  });

  describe("the DR signal alarms and their topics", () => {
    before(async () => {
      automatic = await synthesizeAutomatic();
    });

    it("alarm on replica lag over the stack file's RPO, on the replica, and follow the RPO when it changes", () => {
      const lag = (plan: StackPlan) => only(plan, TYPES.alarm, (alarm) => alarm.inputs.metricName === "ReplicaLag");
      for (const [plan, rpoSeconds] of [
        [dr, drConfig.recovery.rpoSeconds],
        [automatic.dr, AUTOMATIC.rpoSeconds],
      ] as const) {
        const alarm = lag(plan);
        expect(alarm.region).to.equal("us-west-2");
        expect(alarm.inputs).to.include({
          name: NAMES.replicaLagOverRpoAlarm,
          namespace: "AWS/RDS",
          threshold: rpoSeconds,
          comparisonOperator: "GreaterThanThreshold",
        });
        expect(alarm.inputs.dimensions).to.deep.equal({ DBInstanceIdentifier: only(plan, TYPES.database).outputs.identifier });
        expect((plan.outputs.recoveryTargets as RecoveryTargets).rpoSeconds).to.equal(rpoSeconds);
      }
      expect(drConfig.recovery.rpoSeconds).to.not.equal(AUTOMATIC.rpoSeconds);
    });

    it("cover each DR signal with an enabled alarm that notifies a topic of the alarm's own region", () => {
      const topics = ofType(dr, TYPES.topic);
      for (const signal of DR_SIGNALS) {
        const alarms = ofType(dr, TYPES.alarm).filter((alarm) => alarm.inputs.namespace === signal.namespace && alarm.inputs.metricName === signal.metric);
        expect(alarms, signal.what).to.have.length(1);
        const [alarm] = alarms;
        expect(alarm.inputs.actionsEnabled, alarm.name).to.equal(true);
        for (const actions of [alarm.inputs.alarmActions, alarm.inputs.okActions] as string[][]) {
          expect(actions, alarm.name).to.have.length(1);
          const topic = topics.find((candidate) => candidate.outputs.arn === actions[0]);
          expect(topic, `${alarm.name} notifies ${actions[0]}`).to.not.equal(undefined);
          expect(topic!.region, `${alarm.name}'s topic`).to.equal(alarm.region);
        }
      }
    });

    it("put the health-check and S3 replication alarms in us-east-1 on the us-east-1 topic, the others in the DR region on the DR topic", () => {
      const drTopic = only(dr, TYPES.topic, (topic) => topic.region === "us-west-2" && topic.name.startsWith("dr-notifications"));
      const eastTopic = only(dr, TYPES.topic, (topic) => topic.region === ROUTE53_METRICS_REGION);
      // The third topic is the monitoring cluster's alert topic: the DR load balancer's own alarms (stacks/monitoring.ts) publish to it.
      expect(ofType(dr, TYPES.topic).map((topic) => topic.name)).to.have.members([drTopic.name, eastTopic.name, "dr-prometheus-grafana-alerts-topic"]);
      const monitoringTopic = only(dr, TYPES.topic, (topic) => topic.name === "dr-prometheus-grafana-alerts-topic");
      const expected: Record<string, { region: string; topic: PlannedResource }> = {
        [NAMES.primaryHealthCheckAlarm]: { region: "us-east-1", topic: eastTopic },
        [NAMES.replicationLatencyAlarm]: { region: "us-east-1", topic: eastTopic },
        [NAMES.replicationFailuresAlarm]: { region: "us-east-1", topic: eastTopic },
        [NAMES.replicaLagOverRpoAlarm]: { region: "us-west-2", topic: drTopic },
        [NAMES.unhealthyTargetsAlarm]: { region: "us-west-2", topic: drTopic },
        [NAMES.targetErrorsAlarm]: { region: "us-west-2", topic: drTopic },
        // The replication heartbeat functions' errors, each in its function's region (the primary's is us-east-1 here).
        [NAMES.primaryHeartbeatErrorsAlarm]: { region: "us-east-1", topic: eastTopic },
        [NAMES.drHeartbeatErrorsAlarm]: { region: "us-west-2", topic: drTopic },
        // The fence: in ALARM while a failover holds traffic in the DR region.
        [NAMES.fenceAlarm]: { region: "us-west-2", topic: drTopic },
        // The DR region's probe of the primary endpoint (the failover's signal) and its function's errors.
        [NAMES.primaryEndpointProbeAlarm]: { region: "us-west-2", topic: drTopic },
        [NAMES.primaryEndpointProbeErrorsAlarm]: { region: "us-west-2", topic: drTopic },
        // Issue 24: the DR load balancer's own 5xx and healthy hosts, on the region's monitoring topic.
        "multi-region-dr-dr-dr-alb-5xx": { region: "us-west-2", topic: monitoringTopic },
        "multi-region-dr-dr-dr-alb-no-healthy-hosts": { region: "us-west-2", topic: monitoringTopic },
      };
      const alarms = ofType(dr, TYPES.alarm);
      expect(alarms.map((alarm) => alarm.inputs.name).sort()).to.deep.equal(Object.keys(expected).sort());
      for (const alarm of alarms) {
        const { region, topic } = expected[String(alarm.inputs.name)];
        expect(alarm.region, String(alarm.inputs.name)).to.equal(region);
        expect(alarm.inputs.alarmActions, String(alarm.inputs.name)).to.deep.equal([topic.outputs.arn]);
        expect(alarm.inputs.okActions, String(alarm.inputs.name)).to.deep.equal([topic.outputs.arn]);
      }
      const healthCheck = only(dr, TYPES.alarm, (alarm) => alarm.inputs.name === NAMES.primaryHealthCheckAlarm);
      expect(healthCheck.inputs).to.include({ namespace: "AWS/Route53", metricName: "HealthCheckStatus" });
      // The health-check alarm pages on the endpoint's check, not the record's (which the fence also turns unhealthy).
      expect(healthCheck.inputs.dimensions).to.deep.equal({
        HealthCheckId: only(dr, TYPES.healthCheck, (check) => check.name === "failover-primary-health").id,
      });
    });

    it("encrypt every topic with a key of its own region, and let only this account, alarms and RDS events publish", () => {
      for (const topic of ofType(dr, TYPES.topic)) {
        const key = only(dr, TYPES.key, (candidate) => candidate.outputs.arn === topic.inputs.kmsMasterKeyId);
        expect(key.region, topic.name).to.equal(topic.region);
        expect(arnRegion(String(topic.inputs.kmsMasterKeyId)), topic.name).to.equal(topic.region);
        const policy = only(dr, TYPES.topicPolicy, (candidate) => candidate.inputs.arn === topic.outputs.arn);
        expect(policy.region).to.equal(topic.region);
        expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal(
          notificationTopicPolicy({ topicArn: String(topic.outputs.arn), accountId: MOCK_ACCOUNT_ID }),
        );
      }
      expect(only(dr, TYPES.topic, (topic) => topic.region === "us-west-2" && topic.name.startsWith("dr-notifications")).inputs.kmsMasterKeyId).to.equal(
        dr.outputs.kmsKeyArn,
      );
    });

    it("subscribe the DR topic to the replica's RDS events", () => {
      const subscription = only(dr, TYPES.eventSubscription);
      expect(subscription.region).to.equal("us-west-2");
      expect(subscription.inputs).to.include({ sourceType: "db-instance", enabled: true, snsTopic: dr.outputs.notificationTopicArn });
      expect(subscription.inputs.sourceIds).to.deep.equal([only(dr, TYPES.database).outputs.identifier]);
      expect(subscription.inputs.eventCategories).to.include.members(["failover", "failure", "read replica"]);
    });
  });

  describe("automatic failover", () => {
    it("is off by default: no rule starts a workflow, and no automatic-failover signal", () => {
      expect(drConfig.failover.automatic).to.equal(false);
      expect(dr.outputs.automaticFailover).to.equal(false);
      // The scheduled functions' rules (the heartbeat's, the probe's) are the only ones: they invoke a function, never a workflow.
      expect(ofType(dr, TYPES.eventRule).map((rule) => rule.name)).to.have.members(["dr-heartbeat-schedule", "dr-primary-probe-schedule"]);
      expect(ofType(dr, TYPES.eventTarget).filter(notHeartbeat)).to.deep.equal([]);
      expect(ofType(dr, TYPES.compositeAlarm)).to.deep.equal([]);
      // The probe still pages the DR topic: the one page that survives an outage of us-east-1, after 1 period of 30 s.
      const probe = only(dr, TYPES.alarm, (alarm) => alarm.inputs.name === NAMES.primaryEndpointProbeAlarm);
      expect(probe.region).to.equal("us-west-2");
      expect(probe.inputs).to.include({ period: 30, evaluationPeriods: 1 });
    });

    describe("with failover.automatic true", () => {
      let plan: StackPlan;
      let pattern: unknown;
      let signal: PlannedResource;
      before(async () => {
        automatic = await synthesizeAutomatic();
        plan = automatic.dr;
        signal = only(plan, TYPES.compositeAlarm);
        pattern = {
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          resources: [signal.outputs.arn],
          detail: { state: { value: ["ALARM"] } },
        };
      });

      it("signals from the DR region: the probe's alarm while the primary is not fenced, and nothing in us-east-1", () => {
        expect(plan.outputs.automaticFailover).to.equal(true);
        expect(signal.region).to.equal("us-west-2");
        expect(signal.inputs).to.include({
          alarmName: NAMES.automaticFailoverSignalAlarm,
          alarmRule: `ALARM("${NAMES.primaryEndpointProbeAlarm}") AND NOT ALARM("${NAMES.fenceAlarm}")`,
        });
        const probe = only(plan, TYPES.alarm, (alarm) => alarm.inputs.name === NAMES.primaryEndpointProbeAlarm);
        expect(probe.region).to.equal("us-west-2");
        // One vantage point: an automatic failover waits for 3 periods of 30 s of failures, where the page alone waits 1.
        expect(probe.inputs).to.include({ period: 30, evaluationPeriods: 3, datapointsToAlarm: 3 });
        // CloudWatch refuses a composite alarm that names an alarm not yet created: it waits for the failover pair (the fence).
        const fence = only(plan, TYPES.alarm, (alarm) => alarm.inputs.name === NAMES.fenceAlarm);
        expect(signal.dependencies.some((urn) => urn === fence.urn || urn === fence.parentUrn)).to.equal(true);
        expect(probe.inputs).to.include({ namespace: "MultiRegionDR/PrimaryProbe", metricName: "PrimaryEndpointHealthy", treatMissingData: "notBreaching" });
        // One rule and one target start the failover, both in the DR region; nothing forwards from us-east-1 any more.
        expect(
          ofType(plan, TYPES.eventRule)
            .filter(notHeartbeat)
            .map((rule) => rule.region),
        ).to.deep.equal(["us-west-2"]);
        expect(
          ofType(plan, TYPES.eventTarget)
            .filter(notHeartbeat)
            .map((target) => target.region),
        ).to.deep.equal(["us-west-2"]);
      });

      it("starts the failover state machine in the DR region with exactly the unplanned, unforced alarm input", () => {
        const rule = only(plan, TYPES.eventRule, (candidate) => candidate.region === "us-west-2" && notHeartbeat(candidate));
        expect(rule.inputs.name).to.equal(NAMES.automaticFailoverRule);
        expect(JSON.parse(String(rule.inputs.eventPattern))).to.deep.equal(pattern);
        const target = only(plan, TYPES.eventTarget, (candidate) => candidate.inputs.rule === rule.outputs.name);
        expect(target.region).to.equal("us-west-2");
        const failover = only(plan, TYPES.stateMachine, (machine) => machine.inputs.name === `${PREFIX}-failover`);
        expect(target.inputs.arn).to.equal(failover.outputs.arn);
        expect(target.inputs.input).to.equal('{"mode":"unplanned","force":false,"trigger":"alarm"}');
        expect(JSON.parse(String(target.inputs.input))).to.deep.equal(AUTOMATIC_FAILOVER_INPUT);
        const role = roleWithArn(plan, target.inputs.roleArn);
        expect(JSON.parse(String(role.inputs.assumeRolePolicy))).to.deep.equal(serviceTrustPolicy("events.amazonaws.com", MOCK_ACCOUNT_ID));
        expect(inlinePolicyOf(plan, role)).to.deep.equal(
          policyDocument([{ Effect: "Allow", Action: "states:StartExecution", Resource: String(failover.outputs.arn) }]),
        );
      });

      it("never starts the failback or the drill", () => {
        const others = ofType(plan, TYPES.stateMachine)
          .filter((machine) => machine.inputs.name !== `${PREFIX}-failover`)
          .map((machine) => String(machine.outputs.arn));
        expect(others).to.have.length(2);
        for (const target of ofType(plan, TYPES.eventTarget).filter(notHeartbeat)) expect(others, target.name).to.not.include(target.inputs.arn);
        for (const policy of ofType(plan, TYPES.rolePolicy).filter((candidate) => String(candidate.inputs.policy).includes("states:StartExecution"))) {
          for (const arn of others) expect(String(policy.inputs.policy), policy.name).to.not.contain(arn);
        }
      });

      it("waits the configured cool-down after an alarm-started failover, in a definition still built from the targets", () => {
        const failover = only(plan, TYPES.stateMachine, (machine) => machine.inputs.name === `${PREFIX}-failover`);
        const deployed = JSON.parse(String(failover.inputs.definition)) as Definition;
        expect(deployed.States["Cool down"]).to.include({ Type: "Wait", Seconds: AUTOMATIC.cooldownSeconds });
        expect(deployed).to.deep.equal(asJson(failoverDefinition(targetsOf(automatic), AUTOMATIC.cooldownSeconds)));
        expect(AUTOMATIC.cooldownSeconds).to.not.equal(drConfig.failover.cooldownSeconds);
      });

      it("scales the DR group on failover to the larger maximum when the DR maximum exceeds the primary's", () => {
        const recovery = targetsOf(automatic).drAutoScalingGroup.recovery;
        expect(recovery).to.deep.equal({
          minSize: primaryConfig.app.minSize,
          desiredCapacity: primaryConfig.app.desiredCapacity,
          maxSize: AUTOMATIC.drMaxSize,
        });
        expect(AUTOMATIC.drMaxSize).to.be.greaterThan(primaryConfig.app.maxSize);
      });

      it("keeps every invariant and every mandatory policy, DR invariant 14 (the trigger survives the primary region) included", () => {
        const rule = only(plan, TYPES.eventRule, (candidate) => candidate.region === "us-west-2" && notHeartbeat(candidate));
        expect(String(rule.inputs.eventPattern)).to.not.include(":us-east-1:");
        expect(failingInvariants(automatic)).to.deep.equal([]);
        expect(mandatoryViolations(automatic)).to.deep.equal([]);
      });
    });
  });

  describe("deploys that must not undo a failover or a failback", () => {
    it("never repoint the PRIMARY failover record (its aliases are ignored); the SECONDARY stays managed", () => {
      const records = ofType(dr, TYPES.record).filter((record) => record.inputs.failoverRoutingPolicies);
      const byRole = Object.fromEntries(records.map((record) => [(record.inputs.failoverRoutingPolicies as { type: string }[])[0].type, record]));
      expect(Object.keys(byRole).sort()).to.deep.equal(["PRIMARY", "SECONDARY"]);
      expect(byRole.PRIMARY.ignoreChanges).to.include("aliases");
      expect(byRole.SECONDARY.ignoreChanges).to.not.include("aliases");
      // No workflow writes a database name (a promoted replica keeps its endpoint), so a deploy keeps it on the stack's
      // database, e.g. the fresh replica that replaces the old DR database after a failback; the primary's likewise.
      const databaseName = only(dr, TYPES.record, (record) => record.inputs.type === "CNAME");
      expect(databaseName.ignoreChanges ?? []).to.not.include("records");
      expect(databaseName.inputs.records).to.deep.equal([only(dr, TYPES.database).outputs.address]);
      const primaryName = only(primary, TYPES.record, (record) => record.inputs.type === "CNAME");
      expect(primaryName.ignoreChanges ?? []).to.not.include("records");
      expect(primaryName.inputs.records).to.deep.equal([only(primary, TYPES.database).outputs.address]);
    });

    it("by default, keep the DR database a replica of the primary's database", () => {
      expect(drConfig.database.promoted).to.equal(false);
      const replica = only(dr, TYPES.database);
      expect(replica.inputs.replicateSourceDb).to.equal(primary.outputs.dbArn);
      expect(replica.inputs).to.not.have.any.keys("engine", "engineVersion");
      expect(dr.outputs.databasePromoted).to.equal(false);
    });

    describe("after a failover (DR database.promoted true)", () => {
      let result: SynthesisResult;
      before(async () => {
        result = await synthesizeWithDatabases({ dr: { promoted: true } });
      });

      it("adopts the promoted DR database as a standalone instance: same resource, no replicateSourceDb, the primary's engine and version", () => {
        const database = only(result.dr, TYPES.database);
        expect(database.urn).to.equal(only(dr, TYPES.database).urn);
        expect(database.inputs).to.not.have.property("replicateSourceDb");
        expect(database.inputs).to.include({
          engine: result.primary.outputs.dbEngine,
          engineVersion: result.primary.outputs.dbEngineVersion,
          kmsKeyId: result.dr.outputs.kmsKeyArn,
        });
        expect(database.inputs).to.not.have.any.keys("dbName", "username");
        // Its credentials move to the DR region: RDS manages a new master password in a DR secret under the DR key.
        expect(database.inputs).to.include({ manageMasterUserPassword: true, masterUserSecretKmsKeyId: result.dr.outputs.kmsKeyArn, applyImmediately: true });
        expect(database.protect).to.equal(true);
        expect(result.dr.outputs.databasePromoted).to.equal(true);
      });

      it("keeps every invariant and mandatory policy: the manifest says the DR database is promoted, so no replica is expected", () => {
        expect(JSON.parse(String(only(result.dr, "aws:ssm/parameter:Parameter").inputs.insecureValue)).databasePromoted).to.equal(true);
        expect(failingInvariants(result)).to.deep.equal([]);
        expect(mandatoryViolations(result)).to.deep.equal([]);
      });
    });

    describe("during a failback (primary database.replicaSourceArn set, DR still promoted)", () => {
      let result: SynthesisResult;
      let drDatabaseArn: string;
      before(async () => {
        drDatabaseArn = String(only(dr, TYPES.database).outputs.arn);
        result = await synthesizeWithDatabases({ primary: { replicaSourceArn: drDatabaseArn, promoted: false }, dr: { promoted: true } });
      });

      it("rebuilds the primary's database as a replica of the promoted DR database, without a database name or master user", () => {
        const database = only(result.primary, TYPES.database);
        expect(database.urn).to.equal(only(primary, TYPES.database).urn);
        expect(database.region).to.equal("us-east-1");
        expect(database.inputs.replicateSourceDb).to.equal(drDatabaseArn);
        expect(database.inputs.kmsKeyId).to.equal(result.primary.outputs.kmsKeyArn);
        expect(database.inputs).to.not.have.any.keys("dbName", "username", "manageMasterUserPassword", "masterUserSecretKmsKeyId", "engine");
        expect(only(result.dr, TYPES.database).inputs).to.not.have.property("replicateSourceDb");
        expect(targetsOf(result).primary.databaseArn).to.equal(database.outputs.arn);
      });

      it("keeps every invariant and mandatory policy, so failback step 2 (pulumi up -s dr) is allowed", () => {
        expect(failingInvariants(result)).to.deep.equal([]);
        expect(mandatoryViolations(result)).to.deep.equal([]);
      });
    });

    describe("after a failback (primary replica promoted, DR rebuilt as a replica)", () => {
      let result: SynthesisResult;
      let drDatabaseArn: string;
      before(async () => {
        drDatabaseArn = String(only(dr, TYPES.database).outputs.arn);
        result = await synthesizeWithDatabases({ primary: { replicaSourceArn: drDatabaseArn, promoted: true } });
      });

      it("adopts the promoted primary-region database as standalone: no replicateSourceDb, the engine and version, an RDS-managed secret in its region", () => {
        const database = only(result.primary, TYPES.database);
        expect(database.urn).to.equal(only(primary, TYPES.database).urn);
        expect(database.inputs).to.not.have.property("replicateSourceDb");
        expect(database.inputs).to.include({ engine: result.primary.outputs.dbEngine, engineVersion: result.primary.outputs.dbEngineVersion });
        expect(database.inputs).to.not.have.any.keys("dbName", "username");
        expect(database.inputs).to.include({ manageMasterUserPassword: true, masterUserSecretKmsKeyId: result.primary.outputs.kmsKeyArn });
        expect(only(result.dr, TYPES.database).inputs.replicateSourceDb).to.equal(database.outputs.arn);
      });

      it("keeps every invariant and every mandatory policy", () => {
        expect(failingInvariants(result)).to.deep.equal([]);
        expect(mandatoryViolations(result)).to.deep.equal([]);
      });
    });

    it("rejects primary database.promoted without replicaSourceArn before any resource exists", async () => {
      const edited = stackFile("Pulumi.primary.yaml", (config) => setIn(config, "database", { promoted: true }));
      let parsed: unknown;
      try {
        parseStackConfig(readStackConfigFile(edited), "primary");
      } catch (error) {
        parsed = error;
      }
      expect(parsed).to.be.instanceOf(ConfigError);
      expect((parsed as ConfigError).problems.map((problem) => problem.key)).to.deep.equal([`${NS}:database.promoted`]);
      expect((parsed as Error).message).to.contain(`${NS}:database.promoted (found: true): is only meaningful with replicaSourceArn`);
      // The program parses its config first (index.ts), so the synthesized run fails the same way.
      let synthesized: unknown;
      try {
        await synthesize({ projectDirectory, primaryStackFile: edited });
      } catch (error) {
        synthesized = error;
      }
      expect(synthesized).to.be.instanceOf(ConfigError);
      expect((synthesized as Error).message).to.contain(`${NS}:database.promoted`);
    });
  });
});
