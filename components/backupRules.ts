/**
 * The pure rules of the AWS Backup protection (no Pulumi import, so the runbook and the policy pack
 * can load them): the limits AWS Backup puts on retention, schedules, vault locks and names, the
 * vault access policy and the backup role's key permissions, and the shape of the `backupRestoreTargets`
 * stack output the restore command reads.
 *
 * Sources: AWS Backup Developer Guide, "Continuous backups and point-in-time recovery (PITR)",
 * "Changing your retention period" (continuous retention 1-35 days), "Copying continuous backups",
 * "Vault access policies", "AWS Backup Vault Lock"; AWS Backup API Reference, "BackupRule"
 * (ScheduleExpression is a cron expression in UTC), "CreateBackupVault" (vault name pattern),
 * "PutBackupVaultLockConfiguration" (ChangeableForDays at least 3); EventBridge User Guide, "Cron
 * expressions reference" (the cron syntax BackupRule points to).
 */
import type { PolicyDocument, PolicyStatement } from "./policyDocuments";

/**
 * Days a recovery point is kept: at least 5 (this program's floor, the architecture's "backups kept
 * 5 days") and at most 35, the longest continuous backup (PITR) AWS Backup keeps ("Changing your
 * retention period": "The minimum retention period is 1 day. The maximum retention period is 35 days").
 */
export const BACKUP_RETENTION_DAYS = { minimum: 5, maximum: 35 } as const;

/** Vault Lock modes: governance (removable with IAM permission), compliance (immutable after the grace time) or none. */
export const VAULT_LOCK_MODES = ["governance", "compliance", "none"] as const;
export type VaultLockMode = (typeof VAULT_LOCK_MODES)[number];

/**
 * Compliance mode's grace time, days: at least 3 (the 72-hour cooling-off period, API Reference
 * PutBackupVaultLockConfiguration `ChangeableForDays`), at most 36500. After it the lock can be
 * neither changed nor removed, by anyone, including the root user.
 */
export const COMPLIANCE_GRACE_DAYS = { minimum: 3, maximum: 36500, default: 3 } as const;

/** Vault names: 2-50 letters, digits, hyphens and underscores (API Reference, CreateBackupVault). */
export const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;

/** Plan, rule and selection names: 1-50 letters, digits and `-_.` (API Reference, BackupRule `RuleName`, BackupSelection `SelectionName`). */
export const BACKUP_NAME = /^[A-Za-z0-9_.-]{1,50}$/;

/** The suffixes appended to `namePrefix` for the two vaults; the longest decides the prefix's room. */
export const VAULT_SUFFIXES = { primary: "-primary", dr: "-dr" } as const;

/** Longest `namePrefix` that still gives valid vault names (50 minus the longest suffix). */
export const MAX_NAME_PREFIX_LENGTH = 50 - VAULT_SUFFIXES.primary.length;

/** The AWS managed policies of the AWS Backup service role (AWS Backup Developer Guide, "Managed policies for AWS Backup"). */
export const BACKUP_ROLE_MANAGED_POLICIES = {
  always: ["service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"],
  s3: ["AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore"],
} as const;

/**
 * The recovery-point actions the vault access policy denies to every principal (but the break-glass
 * ones): deleting a recovery point and shortening its lifecycle. With `backup:PutBackupVaultAccessPolicy`
 * these are the actions the AWS Config rule `backup-recovery-point-manual-deletion-disabled` looks for
 * ("Vault access policies": the `Action` key of a vault access policy takes no wildcard).
 */
export const DENIED_RECOVERY_POINT_ACTIONS = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"] as const;

/** The policy-changing actions denied to everyone but the break-glass principals, when some are named. */
export const DENIED_POLICY_ACTIONS = ["backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultAccessPolicy"] as const;

/** What a bad value is, and how to fix it; `undefined` when the value is fine. */
export type Problem = string | undefined;

/**
 * Retention days are a whole number from 5 to 35.
 * @returns the problem, naming the value; undefined when valid.
 */
export function retentionProblem(days: number): Problem {
  if (Number.isInteger(days) && days >= BACKUP_RETENTION_DAYS.minimum && days <= BACKUP_RETENTION_DAYS.maximum) return undefined;
  return (
    `must be a whole number of days from ${BACKUP_RETENTION_DAYS.minimum} (this program's floor) to ${BACKUP_RETENTION_DAYS.maximum} ` +
    `(the longest continuous backup AWS Backup keeps), got ${days}`
  );
}

const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;

/** One field of an AWS cron expression: its allowed numbers, names and special wildcards. */
interface CronFieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for min, min+1, ...: JAN-DEC for the month, SUN-SAT for the day of the week. */
  readonly names?: readonly string[];
  /** What the field takes, as the EventBridge table states it, for messages. */
  readonly allowed: string;
}

/**
 * The six fields of an AWS cron expression with their values and wildcards (EventBridge User Guide,
 * "Cron expressions reference", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html,
 * the page AWS Backup's BackupRule `ScheduleExpression` points to as "Schedule Expressions for Rules"):
 * minutes 0-59, hours 0-23, day-of-month 1-31 (`, - * ? / L W`), month 1-12 or JAN-DEC,
 * day-of-week 1-7 or SUN-SAT (`, - * ? L #`), year 1970-2199.
 */
export const CRON_FIELDS: readonly CronFieldSpec[] = [
  { name: "minutes", min: 0, max: 59, allowed: "0-59" },
  { name: "hours", min: 0, max: 23, allowed: "0-23" },
  { name: "day-of-month", min: 1, max: 31, allowed: "1-31, L, LW, <day>W or ?" },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    allowed: "1-12 or JAN-DEC",
  },
  { name: "day-of-week", min: 1, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], allowed: "1-7 or SUN-SAT, L, <day>L, <day>#<1-5> or ?" },
  { name: "year", min: 1970, max: 2199, allowed: "1970-2199" },
];

/** A single value of a field (a number or a name), or undefined when it is neither. */
function cronValue(spec: CronFieldSpec, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = spec.names?.indexOf(text) ?? -1;
  return index >= 0 ? spec.min + index : undefined;
}

/**
 * Why one field of an AWS cron expression is invalid, or undefined when it is valid: every single
 * value, list item, range end and step start must be in the field's range, steps are whole numbers
 * from 1 to the field's span and never in day-of-week (whose wildcards are only `, - * ? L #`),
 * `?` only in day-of-month and day-of-week, `L`/`W` in day-of-month, `L`/`#` in day-of-week, and `#`
 * alone (EventBridge: "3#1,6#3" is invalid). Source: EventBridge User Guide, "Cron expressions
 * reference", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html.
 * @param spec one of {@link CRON_FIELDS}.
 * @param field the field's text, e.g. `0/15`, `1-5`, `MON-FRI`, `L`, `3#2`.
 * @returns what is wrong, naming the field, the offending part and the allowed values.
 */
export function cronFieldProblem(spec: CronFieldSpec, field: string): Problem {
  const allowed = `the ${spec.name} field takes ${spec.allowed}`;
  const where = (part: string) => (part === field ? `${spec.name} "${field}"` : `${spec.name} "${field}" with "${part}"`);
  const invalid = (part: string) => `has ${where(part)}, which is not a valid value: ${allowed}`;
  const outOfRange = (value: number) => `has ${where(String(value))}, out of range: ${allowed}`;
  const inRange = (value: number) => value >= spec.min && value <= spec.max;
  const dayOfMonth = spec.name === "day-of-month";
  const dayOfWeek = spec.name === "day-of-week";
  if (field === "?") return dayOfMonth || dayOfWeek ? undefined : `has ? in ${spec.name}: ? is allowed only in day-of-month and day-of-week`;
  if (dayOfWeek && field.includes("#")) {
    const match = /^([0-9A-Z]+)#(\d+)$/.exec(field);
    if (!match) return `has day-of-week "${field}": # takes one <day>#<n> alone (e.g. 3#2, the second Tuesday), not in a list or range`;
    const day = cronValue(spec, match[1]);
    if (day === undefined) return invalid(match[1]);
    if (!inRange(day)) return outOfRange(day);
    const nth = Number(match[2]);
    return nth >= 1 && nth <= 5 ? undefined : `has day-of-week "${field}" with #${nth}: a month has at most five of each weekday, so # takes 1-5`;
  }
  for (const item of field.split(",")) {
    if (item === "") return `has ${spec.name} "${field}" with an empty list item: ${allowed}`;
    if (item === "?") return `has ${spec.name} "${field}": ? stands alone, not in a list`;
    if (dayOfMonth && (item === "L" || item === "LW")) continue;
    if (dayOfMonth && /^\d+W$/.test(item)) {
      const day = Number(item.slice(0, -1));
      if (!inRange(day)) return outOfRange(day);
      continue;
    }
    if (dayOfWeek && item === "L") continue;
    if (dayOfWeek && /^[0-9A-Z]+L$/.test(item)) {
      const day = cronValue(spec, item.slice(0, -1));
      if (day === undefined) return invalid(item);
      if (!inRange(day)) return outOfRange(day);
      continue;
    }
    if (dayOfWeek && item.includes("/")) {
      return (
        `has day-of-week "${field}" with "/": the day-of-week field takes no increments (EventBridge allows , - * ? L # there, ` +
        `and / only in minutes, hours, day-of-month, month and year); list the days instead, such as MON,WED,FRI`
      );
    }
    const [base, step, ...extra] = item.split("/");
    if (extra.length > 0) return invalid(item);
    if (step !== undefined) {
      const span = spec.max - spec.min;
      if (!/^\d+$/.test(step)) return invalid(item);
      if (Number(step) < 1 || Number(step) > span) {
        return `has ${where(`/${step}`)}, a step out of range: the ${spec.name} step takes 1-${span}`;
      }
    }
    if (base === "*") continue;
    const ends = base.split("-");
    if (ends.length > 2 || ends.some((end) => end === "")) return invalid(item);
    for (const end of ends) {
      const value = cronValue(spec, end);
      if (value === undefined) return invalid(end);
      if (!inRange(value)) return outOfRange(value);
    }
  }
  return undefined;
}

/**
 * The schedule is an AWS cron expression AWS Backup accepts: `cron(<minutes> <hours> <day-of-month>
 * <month> <day-of-week> <year>)` in UTC (six fields, EventBridge syntax), every field within its
 * range ({@link cronFieldProblem}: minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
 * JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199), exactly one of day-of-month and day-of-week
 * `?`, a single minute value, because AWS Backup refuses jobs less than 60 minutes apart, and a date
 * that occurs ({@link neverOccursProblem}: not `31 4` or `30 2`; `29 2` only with a leap year). AWS
 * Backup takes cron expressions only (API Reference, BackupRule `ScheduleExpression`), not
 * `rate(...)`. Sources: EventBridge User Guide, "Cron expressions reference"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html); AWS Backup API
 * Reference, "BackupRule".
 * @returns the problem, naming the field and the expression; undefined when valid.
 */
export function scheduleProblem(expression: string): Problem {
  const example = "such as cron(0 5 ? * * *) (05:00 UTC daily)";
  if (/^rate\(/.test(expression.trim())) {
    return `must be a cron expression ${example}: AWS Backup schedules take cron expressions only, not rate(...), got "${expression}"`;
  }
  const match = /^cron\((.*)\)$/.exec(expression);
  if (!match) return `must be a cron expression ${example}, got "${expression}"`;
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6 || !fields.every((field) => CRON_FIELD.test(field))) {
    return `must have six fields (minutes hours day-of-month month day-of-week year) ${example}, got "${expression}"`;
  }
  for (const [index, spec] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(spec, fields[index]);
    if (problem) return `${problem}, in "${expression}"`;
  }
  const [minutes, , dayOfMonth, , dayOfWeek] = fields;
  if (!/^\d{1,2}$/.test(minutes)) {
    return `must name one minute (0-59): AWS Backup refuses backup jobs less than 60 minutes apart, got minutes "${minutes}" in "${expression}"`;
  }
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `must have ? in exactly one of day-of-month and day-of-week (EventBridge cron syntax), got "${expression}"`;
  }
  const never = neverOccursProblem(fields);
  return never === undefined ? undefined : `${never}, in "${expression}"`;
}

/** Days in each month, January first; February with its 29th, which {@link neverOccursProblem} checks against the year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** The values of a field made only of single values and ranges (`2`, `FEB`, `4,6`, `9-11`), or undefined for anything else. */
function plainValues(spec: CronFieldSpec, field: string): number[] | undefined {
  const values: number[] = [];
  for (const item of field.split(",")) {
    const ends = item.split("-").map((end) => cronValue(spec, end));
    if (ends.length > 2 || ends.some((end) => end === undefined)) return undefined;
    const [from, to = from] = ends as number[];
    for (let value = from; value <= to; value++) values.push(value);
  }
  return values;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * A schedule whose dates never occur, so AWS Backup would never take a backup: day-of-month and
 * month made of single values (and ranges) where even the smallest day is past the end of every
 * month named, e.g. `31 4` (April has 30 days), `30 FEB`, `31 2,4,6,9,11`. Decided for the 29th of
 * February: it occurs in leap years, so `29 2` is kept (a backup every fourth year is what it says)
 * unless the year field names only years that are not leap years (`29 2 ? 2027`). Day-of-month `L`,
 * `LW`, `<day>W`, `*` and steps, and months `*` and steps, always occur and are not checked.
 * @param fields the six fields, each already valid on its own.
 * @returns what is wrong, naming the date and the fix; undefined when the date can occur.
 */
function neverOccursProblem(fields: readonly string[]): Problem {
  const [, , dayOfMonth, month, , year] = fields;
  const [, , daySpec, monthSpec, , yearSpec] = CRON_FIELDS;
  const days = plainValues(daySpec, dayOfMonth);
  const months = plainValues(monthSpec, month);
  if (days === undefined || months === undefined) return undefined;
  const firstDay = Math.min(...days);
  const longest = Math.max(...months.map((value) => DAYS_IN_MONTH[value - 1]));
  const monthNames = months.map((value) => monthSpec.names![value - 1]).join(", ");
  const date = `day-of-month ${dayOfMonth} and month ${month}`;
  const fix = "pick a day the month has, or L for its last day";
  if (firstDay > longest) {
    return `has ${date}, a date that never occurs (${monthNames} ${months.length === 1 ? "has" : "have"} at most ${longest} days), so no backup would ever run: ${fix}`;
  }
  if (firstDay === 29 && longest === 29) {
    const years = plainValues(yearSpec, year);
    if (years !== undefined && !years.some(isLeapYear)) {
      return `has ${date} with year ${year}, a date that never occurs (February 29 exists only in leap years), so no backup would ever run: ${fix}`;
    }
  }
  return undefined;
}

/**
 * The lock's mode and grace time go together: compliance needs 3 to 36500 days of grace (when the
 * lock can still be removed); governance and none take none.
 * @returns the problem; undefined when valid.
 */
export function vaultLockProblem(mode: string, changeableForDays: number | undefined): Problem {
  if (!(VAULT_LOCK_MODES as readonly string[]).includes(mode)) return `must be one of ${VAULT_LOCK_MODES.join(", ")}, got "${mode}"`;
  if (mode !== "compliance") {
    return changeableForDays === undefined ? undefined : `changeableForDays applies to compliance mode only (got ${changeableForDays} with ${mode}): remove it`;
  }
  const days = changeableForDays ?? COMPLIANCE_GRACE_DAYS.default;
  if (!Number.isInteger(days) || days < COMPLIANCE_GRACE_DAYS.minimum || days > COMPLIANCE_GRACE_DAYS.maximum) {
    return `changeableForDays must be a whole number from ${COMPLIANCE_GRACE_DAYS.minimum} to ${COMPLIANCE_GRACE_DAYS.maximum} (the grace time before a compliance lock becomes immutable), got ${days}`;
  }
  return undefined;
}

/**
 * The name prefix gives valid vault, plan and selection names: letters, digits, `-` and `_`, at most
 * {@link MAX_NAME_PREFIX_LENGTH} characters.
 * @returns the problem; undefined when valid.
 */
export function namePrefixProblem(prefix: string): Problem {
  if (VAULT_NAME.test(`${prefix}${VAULT_SUFFIXES.primary}`) && VAULT_NAME.test(prefix)) return undefined;
  return `must be 2 to ${MAX_NAME_PREFIX_LENGTH} letters, digits, hyphens or underscores (vault names are ${VAULT_NAME.source}), got "${prefix}"`;
}

/**
 * With continuous backup on, AWS Backup takes over the RDS automated backups of the database: it sets
 * their retention to the rule's retention and their backup window (crossplane-contrib/provider-aws#1357,
 * aws-cloudformation/cloudformation-coverage-roadmap#2167: CloudFormation stacks drift on
 * BackupRetentionPeriod and PreferredBackupWindow once AWS Backup manages PITR). A primary stack that sets a
 * different `backupRetentionPeriod` would set it back on every `pulumi up`, and AWS Backup would set it
 * again: the two must agree (or the primary must ignore changes to it).
 * @returns the problem, for a cross-stack check of the DR stack; undefined when they agree.
 */
export function continuousRetentionProblem(backupRetentionDays: number, databaseBackupRetentionDays: number): Problem {
  if (backupRetentionDays === databaseBackupRetentionDays) return undefined;
  return (
    `is ${backupRetentionDays} days but the primary database keeps automated backups ${databaseBackupRetentionDays} days: AWS Backup's continuous ` +
    `backup sets the database's backup retention to ${backupRetentionDays} and the primary stack would set it back on every update; ` +
    `set the primary's database.backupRetentionDays to ${backupRetentionDays} too`
  );
}

/**
 * The vault access policy: every principal but the break-glass ones is denied deleting recovery
 * points and changing their lifecycle (AWS Backup Developer Guide, "Vault access policies", example
 * "Deny access to delete recovery points"); with break-glass principals, also changing or deleting this
 * policy. Without break-glass principals the policy itself stays changeable through IAM, so that a
 * mistake can be undone: the Vault Lock is the immutable layer. AWS Backup's own lifecycle deletions are
 * not API calls of a principal and are not affected.
 * `Resource` is `*`: the actions act on recovery points (whose ARNs are those of RDS snapshots, S3
 * backups...), not on the vault, and the AWS Config rule requires the wildcard for `Resource` and `Principal`.
 * @param breakGlassPrincipalArns IAM role or user ARNs exempted (compared with `aws:PrincipalArn`).
 */
export function vaultAccessPolicy(breakGlassPrincipalArns: readonly string[] = []): PolicyDocument {
  const exempt = breakGlassPrincipalArns.length > 0 ? { Condition: { ArnNotLike: { "aws:PrincipalArn": [...breakGlassPrincipalArns] } } } : {};
  const statements: PolicyStatement[] = [
    { Sid: "DenyRecoveryPointDeletion", Effect: "Deny", Principal: "*", Action: [...DENIED_RECOVERY_POINT_ACTIONS], Resource: "*", ...exempt },
  ];
  if (breakGlassPrincipalArns.length > 0) {
    statements.push({ Sid: "DenyAccessPolicyChanges", Effect: "Deny", Principal: "*", Action: [...DENIED_POLICY_ACTIONS], Resource: "*", ...exempt });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Where the backup role may use which key. */
export interface BackupKeyScope {
  keyArn: string;
  region: string;
}

/**
 * The backup role's use of the two regional keys: through AWS Backup, RDS, S3 and DynamoDB of the
 * key's region only (`kms:ViaService`), plus grants for AWS resources (RDS copies a snapshot under a
 * grant). The keys' policies delegate to IAM (`regionalKeyPolicy`), so this IAM policy is what lets
 * AWS Backup copy a snapshot encrypted with the primary key into the DR vault under the DR key
 * ("Encryption for a backup copy to a different account or AWS Region").
 */
export function backupKeyPolicy(keys: readonly BackupKeyScope[]): PolicyDocument {
  const arns = keys.map((key) => key.keyArn);
  const services = keys.flatMap((key) => ["backup", "rds", "s3", "dynamodb"].map((service) => `${service}.${key.region}.amazonaws.com`));
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "DescribeRegionalKeys", Effect: "Allow", Action: "kms:DescribeKey", Resource: arns },
      {
        Sid: "GrantsForAwsResources",
        Effect: "Allow",
        Action: "kms:CreateGrant",
        Resource: arns,
        Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
      },
      {
        Sid: "UseRegionalKeysThroughDataServices",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        Resource: arns,
        Condition: { StringEquals: { "kms:ViaService": services } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The restore command's contract with the DR stack

/** Name of the DR stack output the restore command reads. */
export const RESTORE_TARGETS_OUTPUT = "backupRestoreTargets";

/** One region a database can be restored into: its vault and the network and key a new database gets there. */
export interface RestoreSide {
  region: string;
  vaultName: string;
  /** The region's customer-managed key: the restored database's storage key. */
  kmsKeyArn: string;
  /** DB subnet group of the region's isolated subnets; absent in a backup-restore DR region before a restore. */
  dbSubnetGroupName?: string;
  /** Security group that lets the app tier reach the database; absent with the subnet group. */
  dbSecurityGroupId?: string;
}

/** Everything `npm run restore` needs, exported by the DR stack as `backupRestoreTargets`. */
export interface RestoreTargets {
  /** The AWS Backup service role, which also runs restore jobs. */
  roleArn: string;
  /** The protected database: its ARN (instance `:db:` or cluster `:cluster:`), engine and size. */
  database: { arn: string; engine: string; engineMode: "instance" | "aurora-global"; instanceClass: string; multiAz: boolean };
  /** The primary region (the primary vault: continuous backup, point-in-time restore). */
  primary: RestoreSide;
  /** The DR region (the DR vault: the copies, one per schedule run). */
  dr: RestoreSide;
}
