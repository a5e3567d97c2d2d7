/**
 * Keys, topics, logs and orchestration: KMS keys rotated and not public, SNS topics encrypted, state
 * machines logged and traced, log groups retained, alarms that notify someone. The topic, state
 * machine and alarm rows apply to the failover workflow and its alarms. Sources: AG, SH, CKV.
 */
import { asList, parseJson, resourcePolicy, schema, TYPES } from "./kit";

const keyRotation = resourcePolicy({
  name: "kms-key-rotation",
  description: "KMS keys rotate yearly (AG, compliance-policies, SH KMS.4, CKV_AWS_7)",
  enforcementLevel: "mandatory",
  type: TYPES.kmsKey,
  check: (props, _config, report) => {
    if (props.enableKeyRotation !== true) report("set enableKeyRotation to true");
  },
});

/** Condition keys that confine a `*` principal to an account, organization or principal (IAM global condition keys, KMS condition keys). */
export const CONFINING_CONDITION_KEYS = [
  "kms:CallerAccount",
  "aws:PrincipalAccount",
  "aws:PrincipalOrgID",
  "aws:PrincipalArn",
  "aws:SourceAccount",
  "aws:SourceArn",
];

const CONFINING_KEYS_LOWER = CONFINING_CONDITION_KEYS.map((key) => key.toLowerCase());

/**
 * True when one condition confines the caller: a confining key (condition keys are case-insensitive),
 * compared with an operator that needs the value, not `Null` (which only asks that the key be present
 * or absent), and not a bare `*` pattern (which matches every caller).
 */
function confinesCaller(operator: string, key: string, values: unknown): boolean {
  if (!CONFINING_KEYS_LOWER.includes(key.toLowerCase()) || operator.toLowerCase() === "null") return false;
  return !(/(?<!not)like$/i.test(operator.replace(/IfExists$/i, "")) && asList(values).includes("*"));
}

/**
 * Allow statements of a key policy that grant to everyone with no condition confining the caller:
 * a `*` principal (`"*"` or `{ AWS: "*" }`), or a `NotPrincipal`, which with Allow grants to every
 * principal but the named ones (IAM User Guide, NotPrincipal).
 */
export function publicStatements(policy: unknown): Record<string, any>[] {
  const document = parseJson(policy);
  return asList<Record<string, any>>(document?.Statement).filter((statement) => {
    const everyone = statement.Principal === "*" || asList(statement.Principal?.AWS).includes("*") || statement.NotPrincipal !== undefined;
    if (statement.Effect !== "Allow" || !everyone) return false;
    const conditions = Object.entries<Record<string, unknown>>(statement.Condition ?? {}).flatMap(([operator, keys]) =>
      Object.entries(keys ?? {}).map(([key, values]) => ({ operator, key, values })),
    );
    return !conditions.some(({ operator, key, values }) => confinesCaller(operator, key, values));
  });
}

const keyPolicyNotPublic = resourcePolicy({
  name: "kms-key-policy-not-public",
  description: "KMS key policies grant nothing to the * principal unless a condition confines the caller's account or ARN (SH KMS.5)",
  enforcementLevel: "mandatory",
  type: TYPES.kmsKey,
  check: (props, _config, report) => {
    for (const statement of publicStatements(props.policy)) {
      report(
        `statement ${statement.Sid ?? "(no Sid)"} allows everyone (${statement.NotPrincipal !== undefined ? "Allow with NotPrincipal" : "*"}): name the principals, or add a condition on ${CONFINING_CONDITION_KEYS.slice(0, 3).join(" / ")}`,
      );
    }
  },
});

const topicEncrypted = resourcePolicy({
  name: "sns-topic-encrypted",
  description: "SNS topics are encrypted with a KMS key (SH SNS.1, CKV_AWS_26)",
  enforcementLevel: "mandatory",
  type: TYPES.snsTopic,
  check: (props, _config, report) => {
    if (!props.kmsMasterKeyId) report("set kmsMasterKeyId to the region's KMS key: failover notifications name databases and ARNs");
  },
});

const stateMachineLogging = resourcePolicy({
  name: "state-machine-logging",
  description: "Step Functions state machines log ALL or ERROR events to a log group (SH StepFunctions.1, CKV_AWS_285)",
  enforcementLevel: "mandatory",
  type: TYPES.stateMachine,
  check: (props, _config, report) => {
    const logging = props.loggingConfiguration ?? {};
    if (!["ALL", "ERROR"].includes(logging.level))
      report(`loggingConfiguration.level is ${JSON.stringify(logging.level)}: set ALL (or ERROR) so every failover run leaves evidence`);
    if (!logging.logDestination) report("loggingConfiguration.logDestination must name a CloudWatch log group (ARN ending in :*)");
  },
});

const stateMachineTracing = resourcePolicy({
  name: "state-machine-tracing",
  description: "Step Functions state machines send X-Ray traces (CKV_AWS_284)",
  enforcementLevel: "advisory",
  type: TYPES.stateMachine,
  check: (props, _config, report) => {
    if (props.tracingConfiguration?.enabled !== true) report("set tracingConfiguration.enabled to true");
  },
});

const logRetention = resourcePolicy({
  name: "log-group-retention",
  description: "CloudWatch log groups keep logs at least the configured days, default 365, and are encrypted (SH CloudWatch.16, CKV_AWS_338, CKV_AWS_158)",
  enforcementLevel: "advisory",
  type: TYPES.logGroup,
  config: {
    schema: { properties: { minimumRetentionDays: schema.integer("Fewest days to keep logs; Security Hub asks 365", 1, 365) } },
    defaults: { minimumRetentionDays: 365 },
  },
  check: (props, config, report) => {
    const days = Number(props.retentionInDays ?? 0);
    // 0 or unset means "never expire", which meets any minimum.
    if (days !== 0 && days < config.minimumRetentionDays) report(`retentionInDays is ${days}: keep at least ${config.minimumRetentionDays} days`);
    if (!props.kmsKeyId) report("set kmsKeyId to the region's KMS key");
  },
});

const alarmActions = resourcePolicy({
  name: "alarm-actions",
  description: "CloudWatch alarms are enabled and notify someone (SH CloudWatch.15, CloudWatch.17)",
  enforcementLevel: "mandatory",
  type: TYPES.metricAlarm,
  check: (props, _config, report) => {
    if (props.actionsEnabled === false) report("actionsEnabled is false: an alarm that acts on nothing does not wake the on-call engineer");
    if (asList(props.alarmActions).length === 0) report("alarmActions is empty: send the alarm to the DR notification topic");
  },
});

export const keysAndLogsPolicies = [keyRotation, keyPolicyNotPublic, topicEncrypted, stateMachineLogging, stateMachineTracing, logRetention, alarmActions];
