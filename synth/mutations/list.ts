/**
 * The kept mutations: single changes a developer could plausibly make in a pull request, each of which
 * breaks recovery (or a DR copy's safety) silently, so that it would only show in an outage. They were
 * written from what breaks recovery (issue 19's five concerns and the older issues' invariants), not
 * from what the policy pack checks; `synth/mutations.ts` measures how many the pack catches.
 *
 * Each mutation names its stack and the engine modes it applies to; the values a developer would copy
 * from the primary's code (its key, its image, its endpoints) are read from the synthesized primary plan.
 *
 * The AWS behaviour the reasons rely on:
 * - Express workflows run at most five minutes and at least once: Step Functions Developer Guide,
 *   "Choosing workflow type" (docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).
 * - AMI ids are regional; another region needs a copy with its own id: EC2 User Guide, "Copy an AMI"
 *   (docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html).
 * - Replication needs versioning on source and destination; RTC bounds 99.99 % of objects at 15 minutes:
 *   S3 User Guide, "Requirements for replication" and "Replication Time Control"
 *   (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html, .../replication-time-control.html).
 * - Route 53's control plane is in us-east-1 and its health-check metrics exist only there: Route 53
 *   Developer Guide, "Resilience" and "Monitoring health checks using CloudWatch"
 *   (docs.aws.amazon.com/Route53/latest/DeveloperGuide/disaster-recovery-resiliency.html, .../monitoring-health-checks.html).
 * - An EventBridge rule with `state: DISABLED` invokes no target: @pulumi/aws `cloudwatch.EventRule` `state`.
 */
import type { StackPlan } from "../recordStack";
import {
  deleteProp,
  editJson,
  inputAt,
  moveToRegion,
  MutationTargetError,
  type EngineMode,
  type Mutation,
  type PlanPair,
  removeResource,
  removeStatementsWithAction,
  resource,
  setProp,
  stateOf,
  statementsOf,
  T,
} from "./kit";

const BOTH: readonly EngineMode[] = ["instance", "aurora"];
const INSTANCE: readonly EngineMode[] = ["instance"];
const AURORA: readonly EngineMode[] = ["aurora"];

const FAILOVER = "dr-recovery-failover";
const FAILOVER_POLICY = "dr-recovery-failover-policy";

/** An output of a resource of the primary plan (the value a developer would copy from it). */
function primaryOutput(pair: PlanPair, type: string, name: string, key: string): string {
  const value = resource(pair.primary, type, name).outputs[key];
  if (typeof value !== "string") throw new MutationTargetError(`the primary's ${name} has no ${key} output`);
  return value;
}

/** The primary region's data key ARN. */
const primaryKeyArn = (pair: PlanPair) => primaryOutput(pair, T.key, "primary-key-key", "arn");

/** The DR database's parameter group: the instance's, or the Aurora cluster's. */
const drParameters = (plan: StackPlan, mode: EngineMode) =>
  mode === "instance" ? resource(plan, T.parameterGroup, "dr-db-parameters") : resource(plan, T.clusterParameterGroup, "dr-db-cluster-parameters");

/** The DR database: the read replica, or the Aurora secondary cluster. */
const drDatabase = (plan: StackPlan, mode: EngineMode) =>
  mode === "instance" ? resource(plan, T.dbInstance, "dr-db-instance") : resource(plan, T.auroraCluster, "dr-db-cluster");

/** The primary database: the instance, or the Aurora primary cluster. */
const primaryDatabase = (plan: StackPlan, mode: EngineMode) =>
  mode === "instance" ? resource(plan, T.dbInstance, "primary-db-instance") : resource(plan, T.auroraCluster, "primary-db-cluster");

/** Edits the failover state machine's definition. */
function editFailover(plan: StackPlan, edit: (definition: Record<string, unknown>) => void): void {
  editJson(resource(plan, T.stateMachine, FAILOVER), "definition", edit);
}

/** Sets a parameter of a parameter group's `parameters` list. */
function setParameter(target: ReturnType<typeof resource>, name: string, value: string): void {
  const parameters = structuredClone(inputAt(target, ["parameters"])) as { name: string; value: string }[] | undefined;
  const found = parameters?.find((parameter) => parameter.name === name);
  if (!parameters || !found) throw new MutationTargetError(`${target.name} has no parameter ${name}`);
  found.value = value;
  setProp(target, ["parameters"], parameters);
}

/** The replication rule (the one rule of the replication configuration). */
const RULE = ["rules", 0] as const;
const replication = (plan: StackPlan) => resource(plan, T.bucketReplication, "replication-config");

/** The kept list. */
export const MUTATIONS: readonly Mutation[] = [
  // ---- the recovery workflows run (issue 19) -------------------------------------------------------
  {
    name: "failover-role-without-promote",
    concern: "workflows run",
    side: "dr",
    modes: INSTANCE,
    why: "the failover's role loses rds:PromoteReadReplica (a statement cleaned up as unused): the promotion task fails with AccessDenied mid-outage",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "rds:PromoteReadReplica"),
  },
  {
    name: "failover-role-without-global-failover",
    concern: "workflows run",
    side: "dr",
    modes: AURORA,
    why: "the failover's role loses rds:FailoverGlobalCluster: the Aurora secondary is never made the writer",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "rds:FailoverGlobalCluster"),
  },
  {
    name: "failover-role-without-asg-update",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the failover's role cannot scale the DR Auto Scaling Group: the pilot tier stays at its standby size under the full load",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "autoscaling:UpdateAutoScalingGroup"),
  },
  {
    name: "failover-role-without-publish",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the failover's role cannot publish to the recovery topic: its first notification task fails and the failover stops",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "sns:Publish"),
  },
  {
    name: "failover-role-without-describe-alarms",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the failover's role cannot read the lag and fence alarms: the lag pre-check fails, so the failover never starts",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "cloudwatch:DescribeAlarms"),
  },
  {
    name: "failover-role-promote-on-primary-arn",
    concern: "workflows run",
    side: "dr",
    modes: INSTANCE,
    why: "the promotion statement's resource is copied from the primary's database ARN: promoting the DR replica is denied",
    apply: (pair) =>
      editJson(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "policy", (document) => {
        const statement = statementsOf(document).find((item) => [item.Action].flat().includes("rds:PromoteReadReplica"));
        if (!statement) throw new MutationTargetError("no rds:PromoteReadReplica statement");
        statement.Resource = primaryOutput(pair, T.dbInstance, "primary-db-instance", "arn");
      }),
  },
  {
    name: "failover-express",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the failover state machine made EXPRESS: its waits (replica settling, DR health) outlast the 5-minute limit and it is at-least-once",
    apply: (pair) => setProp(resource(pair.dr, T.stateMachine, FAILOVER), ["type"], "EXPRESS"),
  },
  {
    name: "failback-express",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the failback state machine made EXPRESS: the way back is cut off after 5 minutes, half done",
    apply: (pair) => setProp(resource(pair.dr, T.stateMachine, "dr-recovery-failback"), ["type"], "EXPRESS"),
  },
  {
    name: "lag-precheck-default-proceeds",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the lag pre-check's Choice default rewired to go on: a failover with lag over the RPO (or an unreadable alarm) loses more data than declared",
    apply: (pair) =>
      editFailover(pair.dr, (definition) => {
        stateOf(definition, "Replica lag within RPO?").Default = "Notify start";
      }),
  },
  {
    name: "replica-state-default-proceeds",
    concern: "workflows run",
    side: "dr",
    modes: INSTANCE,
    why: "the replica-state Choice's default goes on to the lag check: a replica that is not available is promoted anyway",
    apply: (pair) =>
      editFailover(pair.dr, (definition) => {
        stateOf(definition, "Replica state?").Default = "Replica lag within RPO?";
      }),
  },
  {
    name: "dr-cluster-ready-default-proceeds",
    concern: "workflows run",
    side: "dr",
    modes: AURORA,
    why: "the DR-cluster readiness Choice's default goes on: a secondary that is not available is made the writer",
    apply: (pair) =>
      editFailover(pair.dr, (definition) => {
        stateOf(definition, "DR cluster ready?").Default = "Check replica lag";
      }),
  },
  {
    name: "route53-change-on-unplanned-path",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the fence step changes the Route 53 records itself (permission added too): Route 53's control plane is in us-east-1, down with the primary region",
    apply: (pair) => {
      editFailover(pair.dr, (definition) => {
        const state = stateOf(definition, "Fence the primary: Route 53");
        const next = state.Next;
        for (const key of Object.keys(state)) delete state[key];
        Object.assign(state, {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:route53:changeResourceRecordSets",
          Parameters: {
            HostedZoneId: String(resource(pair.dr, T.record, "failover-primary").inputs.zoneId),
            ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: { Name: "app", Type: "A" } }] },
          },
          Next: next,
        });
      });
      editJson(resource(pair.dr, T.rolePolicy, FAILOVER_POLICY), "policy", (document) => {
        statementsOf(document).push({ Sid: "Route53Change", Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: "*" });
      });
    },
  },
  {
    name: "failover-skips-fence",
    concern: "workflows run",
    side: "dr",
    modes: BOTH,
    why: "the fence step is skipped to fail over faster: when the old primary comes back healthy, Route 53 sends traffic and writes to it again",
    apply: (pair) =>
      editFailover(pair.dr, (definition) => {
        const parallel = Object.entries(definition.States as Record<string, Record<string, unknown>>).find(([, state]) => state.Next === "Fence the primary");
        if (!parallel) throw new MutationTargetError("no state leads to the fence");
        parallel[1].Next = "DNS serves DR";
      }),
  },

  // ---- the DR tier can take the traffic (issue 19) -------------------------------------------------
  {
    name: "dr-image-primary-region-parameter",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR launch template resolves its image from an SSM parameter of the primary region: no instance launches in the DR region, and not at all once that region is down",
    apply: (pair) =>
      setProp(
        resource(pair.dr, T.launchTemplate, "dr-app-lt"),
        ["imageId"],
        `resolve:ssm:arn:aws:ssm:${pair.primary.region}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`,
      ),
  },
  {
    name: "dr-image-primary-ami-id",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR launch template's AMI id is copied from the primary's: AMI ids are regional, so the DR Auto Scaling Group cannot launch",
    apply: (pair) =>
      setProp(resource(pair.dr, T.launchTemplate, "dr-app-lt"), ["imageId"], inputAt(resource(pair.primary, T.launchTemplate, "primary-app-lt"), ["imageId"])),
  },
  {
    name: "dr-asg-detached",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR Auto Scaling Group is detached from its target group: the DR load balancer has no targets and answers 503",
    apply: (pair) => deleteProp(resource(pair.dr, T.asg, "dr-app-asg"), ["targetGroupArns"]),
  },
  {
    name: "dr-asg-primary-target-group",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR Auto Scaling Group names the primary's target group ARN: its instances never register behind the DR load balancer",
    apply: (pair) => setProp(resource(pair.dr, T.asg, "dr-app-asg"), ["targetGroupArns"], [primaryOutput(pair, T.targetGroup, "primary-app-tg", "arn")]),
  },
  {
    name: "dr-alb-internal",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR load balancer made internal: the SECONDARY record points users at private addresses",
    apply: (pair) => setProp(resource(pair.dr, T.loadBalancer, "dr-app-alb"), ["internal"], true),
  },
  {
    name: "dr-target-group-health-path",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR target group's health check path changed to /: it does not test what /health tests, and the Route 53 check and the tier disagree",
    apply: (pair) => setProp(resource(pair.dr, T.targetGroup, "dr-app-tg"), ["healthCheck", "path"], "/"),
  },
  {
    name: "dr-target-group-port",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR target group sends to port 80 while the app listens on 8080: every target is unhealthy",
    apply: (pair) => setProp(resource(pair.dr, T.targetGroup, "dr-app-tg"), ["port"], 80),
  },
  {
    name: "dr-listener-removed",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR load balancer's listener removed (unused in standby): the DR region refuses every connection",
    apply: (pair) => removeResource(pair.dr, resource(pair.dr, T.listener, "dr-app-http")),
  },
  {
    name: "dr-user-data-primary-region",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR app's user data names the primary region: it reports and calls the failed region",
    apply: (pair) => editUserData(pair, (text) => text.split(`--region ${pair.dr.region}`).join(`--region ${pair.primary.region}`)),
  },
  {
    name: "dr-user-data-primary-database",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR app's database host is the primary database's endpoint instead of the stable name: after failover it still writes to the failed region",
    apply: (pair, mode) =>
      editUserData(pair, (text) =>
        text.replace(/--db-host \S+/, `--db-host ${String(primaryDatabase(pair.primary, mode).outputs[mode === "instance" ? "address" : "endpoint"])}`),
      ),
  },
  {
    name: "dr-asg-max-halved",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR Auto Scaling Group's maximum halved to save money: the DR region cannot carry the primary's load",
    apply: (pair) => {
      const asg = resource(pair.dr, T.asg, "dr-app-asg");
      setProp(asg, ["maxSize"], Math.max(1, Math.floor(Number(inputAt(asg, ["maxSize"])) / 2)));
    },
  },
  {
    name: "dr-instance-type-smaller",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR launch template runs a smaller instance type: each DR instance carries less than a primary one",
    apply: (pair) => setProp(resource(pair.dr, T.launchTemplate, "dr-app-lt"), ["instanceType"], "t3.nano"),
  },
  {
    name: "dr-asg-ec2-health-check",
    concern: "DR tier",
    side: "dr",
    modes: BOTH,
    why: "the DR Auto Scaling Group goes by EC2 status checks: instances whose app does not answer stay in service",
    apply: (pair) => setProp(resource(pair.dr, T.asg, "dr-app-asg"), ["healthCheckType"], "EC2"),
  },

  // ---- the data is there and usable at once (issue 19 and older) -----------------------------------
  {
    name: "replication-prefix-filter",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the replication rule gets a prefix filter: objects outside uploads/ are not in the DR region",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "filter"], { prefix: "uploads/" }),
  },
  {
    name: "replication-tag-filter",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the replication rule gets a tag filter: untagged objects are not replicated",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "filter"], { tag: { key: "replicate", value: "true" } }),
  },
  {
    name: "replication-to-glacier",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "replicas land in GLACIER to save money: the DR app cannot read them without a restore of hours",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "destination", "storageClass"], "GLACIER"),
  },
  {
    name: "replication-removed",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the replication configuration removed: new objects stop reaching the DR region",
    apply: (pair) => removeResource(pair.dr, replication(pair.dr)),
  },
  {
    name: "replication-rule-disabled",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the replication rule's status set to Disabled while debugging: nothing replicates",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "status"], "Disabled"),
  },
  {
    name: "replication-delete-markers-off",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "delete markers are not replicated: objects deleted in the primary reappear in the DR region after failover",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "deleteMarkerReplication", "status"], "Disabled"),
  },
  {
    name: "replication-time-control-removed",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "Replication Time Control removed: no 15-minute bound on replication, so the bucket's RPO is unbounded",
    apply: (pair) => deleteProp(replication(pair.dr), [...RULE, "destination", "replicationTime"]),
  },
  {
    name: "replication-primary-region-key",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "replicas are encrypted with the primary region's key: they cannot be decrypted while that region is down",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "destination", "encryptionConfiguration", "replicaKmsKeyId"], primaryKeyArn(pair)),
  },
  {
    name: "replication-skips-kms-objects",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "SSE-KMS objects are no longer selected for replication: every object of the (KMS-encrypted) bucket stays behind",
    apply: (pair) => setProp(replication(pair.dr), [...RULE, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status"], "Disabled"),
  },
  {
    name: "replication-role-without-replicate",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the replication role loses s3:ReplicateObject: every replication fails, silently but for a metric",
    apply: (pair) => removeStatementsWithAction(resource(pair.dr, T.rolePolicy, "replication-permissions"), "s3:ReplicateObject"),
  },
  {
    name: "dr-bucket-versioning-suspended",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the DR bucket's versioning suspended: S3 replication requires it on the destination and stops",
    apply: (pair) => setProp(resource(pair.dr, T.bucketVersioning, "dr-data-versioning"), ["versioningConfiguration", "status"], "Suspended"),
  },
  {
    name: "primary-bucket-versioning-suspended",
    concern: "data usable",
    side: "primary",
    modes: BOTH,
    why: "the primary bucket's versioning suspended: replication requires it on the source and stops",
    apply: (pair) => setProp(resource(pair.primary, T.bucketVersioning, "primary-data-versioning"), ["versioningConfiguration", "status"], "Suspended"),
  },
  {
    name: "backup-selection-without-database",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the backup selection no longer lists the primary database: no backup of it is copied to the DR region",
    apply: (pair) => {
      const selection = resource(pair.dr, T.backupSelection, "dr-backup-selection");
      const resources = inputAt(selection, ["resources"]) as string[];
      const kept = resources.filter((arn) => !arn.startsWith("arn:aws:rds:"));
      if (kept.length === resources.length) throw new MutationTargetError("the selection lists no database");
      setProp(selection, ["resources"], kept);
    },
  },
  {
    name: "backup-selection-without-table",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the backup selection no longer lists the global table: a corrupted table (replicated at once to the DR replica) has no copy",
    apply: (pair) => {
      const selection = resource(pair.dr, T.backupSelection, "dr-backup-selection");
      const resources = inputAt(selection, ["resources"]) as string[];
      setProp(
        selection,
        ["resources"],
        resources.filter((arn) => !arn.startsWith("arn:aws:dynamodb:")),
      );
    },
  },
  {
    name: "backup-copy-removed",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the backup rule's copy action removed: every recovery point stays in the primary region",
    apply: (pair) => deleteProp(resource(pair.dr, T.backupPlan, "dr-backup-plan"), ["rules", 0, "copyActions"]),
  },
  {
    name: "backup-copy-to-primary-vault",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the copy action's destination is the primary region's vault: the copies die with the region",
    apply: (pair) => {
      const vault = resource(pair.dr, T.vault, "dr-backup-primary-vault");
      setProp(resource(pair.dr, T.backupPlan, "dr-backup-plan"), ["rules", 0, "copyActions", 0, "destinationVaultArn"], String(vault.outputs.arn));
    },
  },
  {
    name: "backup-kept-one-day",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "backups and their DR copies are kept one day: a corruption found on Monday has no clean copy",
    apply: (pair) => {
      const plan = resource(pair.dr, T.backupPlan, "dr-backup-plan");
      setProp(plan, ["rules", 0, "lifecycle", "deleteAfter"], 1);
      setProp(plan, ["rules", 0, "copyActions", 0, "lifecycle", "deleteAfter"], 1);
    },
  },
  {
    name: "dr-parameters-without-tls",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the DR database's parameters stop enforcing TLS: after failover the database accepts what the primary refused",
    apply: (pair, mode) => setParameter(drParameters(pair.dr, mode), "rds.force_ssl", "0"),
  },
  {
    name: "dr-parameters-other-family",
    concern: "data usable",
    side: "dr",
    modes: INSTANCE,
    why: "the DR parameter group's family is an older major version: the replica cannot use it, or runs with defaults after promotion",
    apply: (pair) => setProp(resource(pair.dr, T.parameterGroup, "dr-db-parameters"), ["family"], "postgres16"),
  },
  {
    name: "aurora-secondary-engine-version",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the Aurora secondary pinned to another engine version: RDS refuses it in the global cluster, or the switchover",
    apply: (pair) => setProp(resource(pair.dr, T.auroraCluster, "dr-db-cluster"), ["engineVersion"], "16.6"),
  },
  {
    name: "replica-in-primary-region",
    concern: "data usable",
    side: "dr",
    modes: INSTANCE,
    why: "the read replica is created with the primary region's provider: the DR copy dies with the primary region",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.dbInstance, "dr-db-instance"), pair.primary.region),
  },
  {
    name: "aurora-secondary-in-primary-region",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the Aurora secondary cluster is created with the primary region's provider: the DR copy dies with the primary region",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.auroraCluster, "dr-db-cluster"), pair.primary.region),
  },
  {
    name: "dr-database-primary-region-key",
    concern: "data usable",
    side: "dr",
    modes: BOTH,
    why: "the DR database is encrypted with the primary region's key: RDS refuses a cross-region key, or the copy is unreadable with that region down",
    apply: (pair, mode) => setProp(drDatabase(pair.dr, mode), ["kmsKeyId"], primaryKeyArn(pair)),
  },
  {
    name: "replica-class-smaller",
    concern: "data usable",
    side: "dr",
    modes: INSTANCE,
    why: "the read replica's class is smaller than the primary's: it lags under the write load and, once promoted, cannot carry the traffic",
    apply: (pair) => setProp(resource(pair.dr, T.dbInstance, "dr-db-instance"), ["instanceClass"], "db.t4g.micro"),
  },
  {
    name: "aurora-secondary-class-smaller",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the Aurora secondary's writer-to-be is a smaller class: after the switchover it cannot carry the load",
    apply: (pair) => setProp(resource(pair.dr, T.auroraInstance, "dr-db-instance-0"), ["instanceClass"], "db.t4g.medium"),
  },
  {
    name: "replica-source-removed",
    concern: "data usable",
    side: "dr",
    modes: INSTANCE,
    why: "replicateSourceDb removed: the DR database becomes a standalone, empty database",
    apply: (pair) => deleteProp(resource(pair.dr, T.dbInstance, "dr-db-instance"), ["replicateSourceDb"]),
  },
  {
    name: "aurora-secondary-detached",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "globalClusterIdentifier removed from the secondary: it leaves the global database and stops receiving writes",
    apply: (pair) => deleteProp(resource(pair.dr, T.auroraCluster, "dr-db-cluster"), ["globalClusterIdentifier"]),
  },
  {
    name: "replica-backups-off",
    concern: "data usable",
    side: "dr",
    modes: INSTANCE,
    why: "the replica's backup retention set to 0: once promoted it runs without point-in-time recovery",
    apply: (pair) => setProp(resource(pair.dr, T.dbInstance, "dr-db-instance"), ["backupRetentionPeriod"], 0),
  },
  {
    name: "primary-backups-off",
    concern: "data usable",
    side: "primary",
    modes: INSTANCE,
    why: "the primary's automated backups turned off: RDS cannot create (or keep) a read replica of it",
    apply: (pair) => setProp(resource(pair.primary, T.dbInstance, "primary-db-instance"), ["backupRetentionPeriod"], 0),
  },
  {
    name: "heartbeat-schedule-disabled",
    concern: "data usable",
    side: "primary",
    modes: INSTANCE,
    why: "the replication heartbeat's schedule disabled: the planned failover's catch-up proof never arrives and it restores the primary",
    apply: (pair) => setProp(resource(pair.primary, T.eventRule, "primary-heartbeat-schedule"), ["state"], "DISABLED", true),
  },
  {
    name: "global-table-replica-removed",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the DynamoDB table's DR replica removed: the table's data is not in the DR region",
    apply: (pair) => removeResource(pair.dr, resource(pair.dr, T.tableReplica, "global-table-replica-replica")),
  },
  {
    name: "global-table-replica-no-pitr",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "point-in-time recovery off on the DR replica: after failover a bad write cannot be undone",
    apply: (pair) => setProp(resource(pair.dr, T.tableReplica, "global-table-replica-replica"), ["pointInTimeRecovery"], false),
  },
  {
    name: "global-table-replica-primary-region",
    concern: "data usable",
    side: "dr",
    modes: AURORA,
    why: "the table replica is created with the primary region's provider: no copy outside the primary region",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.tableReplica, "global-table-replica-replica"), pair.primary.region),
  },

  // ---- the signals tell the truth (issue 19 and older) ---------------------------------------------
  {
    name: "lag-alarm-on-primary",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the lag alarm watches the primary database: the failover's lag pre-check reads a metric that says nothing of the DR copy",
    apply: (pair, mode) => {
      const alarm = resource(pair.dr, T.alarm, "dr-alarms-replica-lag");
      const key = mode === "instance" ? "DBInstanceIdentifier" : "DBClusterIdentifier";
      const primary = primaryDatabase(pair.primary, mode);
      setProp(alarm, ["dimensions", key], String(primary.outputs[mode === "instance" ? "identifier" : "clusterIdentifier"]));
    },
  },
  {
    name: "lag-alarm-in-primary-region",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the lag alarm is created with the us-east-1 alarms provider: the DR-region workflow cannot read it with the primary region down",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.alarm, "dr-alarms-replica-lag"), pair.primary.region),
  },
  {
    name: "lag-alarm-threshold-over-rpo",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the lag alarm's threshold raised to an hour: the pre-check lets a failover through that loses far more than the RPO",
    apply: (pair) => {
      const alarm = resource(pair.dr, T.alarm, "dr-alarms-replica-lag");
      setProp(alarm, ["threshold"], Number(inputAt(alarm, ["threshold"])) * 60);
    },
  },
  {
    name: "lag-alarm-without-actions",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the lag alarm's actions removed: nobody hears that the DR copy is falling behind",
    apply: (pair) => setProp(resource(pair.dr, T.alarm, "dr-alarms-replica-lag"), ["alarmActions"], []),
  },
  {
    name: "database-name-ttl-3600",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the stable database name's TTL set to 3600: clients keep resolving the failed database for an hour",
    apply: (pair) => setProp(resource(pair.dr, T.record, "dr-db-name-db"), ["ttl"], 3600),
  },
  {
    name: "primary-database-name-ttl-3600",
    concern: "signals",
    side: "primary",
    modes: BOTH,
    why: "the primary stack's database name TTL set to 3600: the primary's app keeps a stale endpoint for an hour after failback",
    apply: (pair) => setProp(resource(pair.primary, T.record, "primary-db-name-db"), ["ttl"], 3600),
  },
  {
    name: "fence-alarm-missing-data-breaching",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the fence alarm treats missing data as breaching: with no fence metric the primary is fenced and traffic leaves a healthy region",
    apply: (pair) => setProp(resource(pair.dr, T.alarm, "failover-fence"), ["treatMissingData"], "breaching"),
  },
  {
    name: "probe-alarm-removed",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the DR region's probe alarm removed: nothing in the DR region sees the primary fail, so no trigger or page",
    apply: (pair) => removeResource(pair.dr, resource(pair.dr, T.alarm, "dr-primary-probe-alarm")),
  },
  {
    name: "probe-function-in-primary-region",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the probe function is created with the us-east-1 provider: it probes from the region that fails and stops with it",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.lambda, "dr-primary-probe-function"), pair.primary.region),
  },
  {
    name: "health-check-alarm-in-dr-region",
    concern: "signals",
    side: "dr",
    modes: BOTH,
    why: "the Route 53 health-check alarm moved to the DR region: Route 53 publishes health-check metrics only in us-east-1, so it never fires",
    apply: (pair) => moveToRegion(pair.dr, resource(pair.dr, T.alarm, "dr-alarms-primary-health-check"), pair.dr.region),
  },

  // ---- DNS failover (older issues) -----------------------------------------------------------------
  {
    name: "secondary-record-health-check-removed",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the SECONDARY record's health check removed: Route 53 fails over to a DR region that cannot answer, and the fence-release logic is lost",
    apply: (pair) => deleteProp(resource(pair.dr, T.record, "failover-secondary"), ["healthCheckId"]),
  },
  {
    name: "primary-record-health-check-removed",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the PRIMARY record's health check removed: Route 53 never fails over",
    apply: (pair) => deleteProp(resource(pair.dr, T.record, "failover-primary"), ["healthCheckId"]),
  },
  {
    name: "primary-health-check-path",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the primary's Route 53 health check probes / instead of /health: a broken app behind a healthy load balancer is not failed over",
    apply: (pair) => setProp(resource(pair.dr, T.healthCheck, "failover-primary-health"), ["resourcePath"], "/"),
  },
  {
    name: "secondary-alias-primary-alb",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the SECONDARY alias copied from the PRIMARY's: failover sends users to the failed region's load balancer",
    apply: (pair) => {
      const primaryAlias = inputAt(resource(pair.dr, T.record, "failover-primary"), ["aliases"]);
      setProp(resource(pair.dr, T.record, "failover-secondary"), ["aliases"], primaryAlias);
    },
  },
  {
    name: "fenced-health-check-not-inverted",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the fenced health check no longer inverted: the SECONDARY is healthy only while the primary is not fenced, the opposite of the design",
    apply: (pair) => setProp(resource(pair.dr, T.healthCheck, "failover-fenced-health"), ["invertHealthcheck"], false),
  },
  {
    name: "secondary-record-typed-primary",
    concern: "DNS failover",
    side: "dr",
    modes: BOTH,
    why: "the SECONDARY record's failover type copied as PRIMARY: Route 53 rejects two PRIMARY records, or the pair does not fail over",
    apply: (pair) => setProp(resource(pair.dr, T.record, "failover-secondary"), ["failoverRoutingPolicies", 0, "type"], "PRIMARY"),
  },

  // ---- a DR copy cannot be deleted by one mistake (issue 19 and older) -----------------------------
  {
    name: "dr-vault-lock-removed",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "the DR vault's lock removed: one compromised or careless principal deletes every DR recovery point",
    apply: (pair) => removeResource(pair.dr, resource(pair.dr, T.vaultLock, "dr-backup-dr-vault-lock")),
  },
  {
    name: "dr-vault-lock-one-day",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "the DR vault lock's minimum retention set to 1 day: recovery points can be deleted the next day",
    apply: (pair) => setProp(resource(pair.dr, T.vaultLock, "dr-backup-dr-vault-lock"), ["minRetentionDays"], 1),
  },
  {
    name: "dr-vault-force-destroy",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "forceDestroy on the DR vault: a stack teardown or rename deletes it with its recovery points",
    apply: (pair) => setProp(resource(pair.dr, T.vault, "dr-backup-dr-vault"), ["forceDestroy"], true),
  },
  {
    name: "dr-database-deletion-protection-off",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "deletion protection off on the DR database: one mistaken delete removes the only copy outside the primary region",
    apply: (pair, mode) => setProp(drDatabase(pair.dr, mode), ["deletionProtection"], false),
  },
  {
    name: "primary-database-deletion-protection-off",
    concern: "deletion",
    side: "primary",
    modes: BOTH,
    why: "deletion protection off on the primary database: one mistaken delete, and the replica follows it",
    apply: (pair, mode) => setProp(primaryDatabase(pair.primary, mode), ["deletionProtection"], false),
  },
  {
    name: "dr-database-unprotected",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "protect dropped from the DR database: a refactor that renames it makes Pulumi delete it",
    apply: (pair, mode) => {
      const database = drDatabase(pair.dr, mode);
      if (!database.protect) throw new MutationTargetError(`${database.name} is not protected`);
      database.protect = false;
    },
  },
  {
    name: "dr-key-deletion-window-7",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "the DR key's deletion window shortened to 7 days: a scheduled deletion makes every DR copy unreadable before anyone notices",
    apply: (pair) => setProp(resource(pair.dr, T.key, "dr-key-key"), ["deletionWindowInDays"], 7),
  },
  {
    name: "primary-key-deletion-window-7",
    concern: "deletion",
    side: "primary",
    modes: BOTH,
    why: "the primary key's deletion window shortened to 7 days: the primary's data and backups become unreadable a week after a mistake",
    apply: (pair) => setProp(resource(pair.primary, T.key, "primary-key-key"), ["deletionWindowInDays"], 7),
  },
  {
    name: "dr-bucket-force-destroy",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "forceDestroy on the DR bucket: a teardown deletes the replicated objects with it",
    apply: (pair) => setProp(resource(pair.dr, T.bucket, "dr-data"), ["forceDestroy"], true, true),
  },
  {
    name: "dr-bucket-unprotected",
    concern: "deletion",
    side: "dr",
    modes: BOTH,
    why: "protect dropped from the DR bucket: a rename makes Pulumi delete the replicas",
    apply: (pair) => {
      const bucket = resource(pair.dr, T.bucket, "dr-data");
      if (!bucket.protect) throw new MutationTargetError("dr-data is not protected");
      bucket.protect = false;
    },
  },

  // ---- each region runs alone (older issues) -------------------------------------------------------
  {
    name: "dr-topic-primary-region-key",
    concern: "region isolation",
    side: "dr",
    modes: BOTH,
    why: "the DR recovery topic is encrypted with the primary region's key: no failover notification can be published during the outage",
    apply: (pair) => setProp(resource(pair.dr, T.topic, "dr-notifications-topic"), ["kmsMasterKeyId"], primaryKeyArn(pair)),
  },
  {
    name: "dr-workflow-logs-primary-region-key",
    concern: "region isolation",
    side: "dr",
    modes: BOTH,
    why: "the recovery workflows' log group uses the primary region's key: CloudWatch Logs refuses it (or logging fails with that region down)",
    apply: (pair) => setProp(resource(pair.dr, T.logGroup, "dr-recovery-logs"), ["kmsKeyId"], primaryKeyArn(pair)),
  },
];

/** Decodes the DR launch template's user data, edits it, and encodes it back. */
function editUserData(pair: PlanPair, edit: (text: string) => string): void {
  const template = resource(pair.dr, T.launchTemplate, "dr-app-lt");
  const encoded = inputAt(template, ["userData"]);
  if (typeof encoded !== "string") throw new MutationTargetError("dr-app-lt has no user data");
  const text = Buffer.from(encoded, "base64").toString("utf8");
  const edited = edit(text);
  if (edited === text) throw new MutationTargetError("the user data edit changed nothing");
  setProp(template, ["userData"], Buffer.from(edited, "utf8").toString("base64"));
}
