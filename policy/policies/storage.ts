/**
 * Storage policies: every S3 bucket private, ACL-free, TLS-only, versioned, encrypted with a
 * customer-managed key (the ALB log archive excepted: ALB access logs support only SSE-S3), logged
 * and lifecycled (noncurrent versions expire); replication complete and into another region; Object
 * Lock, where declared, with a sane default retention that replicas actually get. In provider v7 each
 * of these is a separate resource, so stack policies also check that every bucket has its companions.
 */
import type { PolicyResource } from "@pulumi/policy";
import { allows, arnRegion as arnRegionOf } from "../../invariants/plan";
import { manifestOf } from "./manifest";
import { asList, dependsOn, ofType, parseJson, regionOf, resourcePolicy, stackPolicy, TYPES } from "./kit";
import { isCustomerKeyArn } from "./database";

const publicAccessBlock = resourcePolicy({
  name: "s3-public-access-block",
  description: "S3 buckets block every kind of public access (SH S3.8, CKV_AWS_53-56)",
  enforcementLevel: "mandatory",
  type: TYPES.s3PublicAccessBlock,
  check: (props, _config, report) => {
    const missing = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((flag) => props[flag] !== true);
    if (missing.length > 0) report(`set ${missing.join(", ")} to true: a DR copy of the data must be as private as the original`);
  },
});

const aclsDisabled = resourcePolicy({
  name: "s3-acls-disabled",
  description: "S3 object ownership is BucketOwnerEnforced, so ACLs are off (SH S3.12)",
  enforcementLevel: "mandatory",
  type: TYPES.s3OwnershipControls,
  check: (props, _config, report) => {
    if (props.rule?.objectOwnership !== "BucketOwnerEnforced")
      report(`rule.objectOwnership is ${JSON.stringify(props.rule?.objectOwnership)}: set BucketOwnerEnforced`);
  },
});

/**
 * True when a bucket policy denies every request made without TLS (`aws:SecureTransport` false):
 * a Deny of `s3:*` (or `*`) to every principal. IAM matches action names and condition keys
 * case-insensitively.
 */
export function deniesInsecureTransport(policyDocument: unknown): boolean {
  const document = parseJson(policyDocument);
  return asList<Record<string, any>>(document?.Statement).some((statement) => {
    const bool: Record<string, unknown> = statement.Condition?.Bool ?? {};
    const secureTransport = Object.entries(bool).find(([key]) => key.toLowerCase() === "aws:securetransport")?.[1];
    const everyone = statement.Principal === "*" || asList(statement.Principal?.AWS).includes("*");
    const everything = asList<unknown>(statement.Action).some((action) => ["s3:*", "*"].includes(String(action).toLowerCase()));
    return statement.Effect === "Deny" && everyone && everything && String(secureTransport) === "false";
  });
}

const tlsOnly = resourcePolicy({
  name: "s3-tls-only",
  description: "S3 bucket policies deny requests without TLS (SH S3.5)",
  enforcementLevel: "mandatory",
  type: TYPES.s3Policy,
  check: (props, _config, report) => {
    if (!deniesInsecureTransport(props.policy)) {
      report('add a statement that denies s3:* to Principal "*" when the Bool condition aws:SecureTransport is "false"');
    }
  },
});

const versioning = resourcePolicy({
  name: "s3-versioning-enabled",
  description: "S3 versioning is Enabled; replication needs it on both sides (SH S3.14, CKV_AWS_21, DR invariant 3)",
  enforcementLevel: "mandatory",
  type: TYPES.s3Versioning,
  check: (props, _config, report) => {
    const status = props.versioningConfiguration?.status;
    if (status !== "Enabled")
      report(`versioningConfiguration.status is ${JSON.stringify(status)}: set Enabled (replication and recovery from deletes need versions)`);
  },
});

const lifecycle = resourcePolicy({
  name: "s3-lifecycle",
  description: "S3 lifecycle expires noncurrent versions and aborts incomplete uploads (SH S3.13, CKV_AWS_300)",
  enforcementLevel: "advisory",
  type: TYPES.s3Lifecycle,
  check: (props, _config, report) => {
    const rules = asList<Record<string, any>>(props.rules).filter((rule) => rule.status === "Enabled");
    if (!rules.some((rule) => asList(rule.noncurrentVersionExpiration).length > 0)) report("add an Enabled rule with noncurrentVersionExpiration");
    if (!rules.some((rule) => asList(rule.abortIncompleteMultipartUpload).length > 0)) report("add an Enabled rule with abortIncompleteMultipartUpload");
  },
});

const accessLoggingTarget = resourcePolicy({
  name: "s3-access-logging-target",
  description: "S3 server access logs go to another bucket (AG s3-bucket-logging-enabled, SH S3.9)",
  enforcementLevel: "advisory",
  type: TYPES.s3Logging,
  check: (props, _config, report) => {
    if (!props.targetBucket) report("set targetBucket to the region's log archive bucket");
    else if (props.targetBucket === props.bucket)
      report("targetBucket is the bucket itself: log to the log archive bucket instead (a bucket logging to itself logs forever)");
  },
});

/** What a replication rule must have for a bounded RPO and complete copies (DR invariant 3). */
export function replicationRuleProblems(rule: Record<string, any>): string[] {
  const problems: string[] = [];
  if (!rule.destination?.bucket) problems.push("destination.bucket is not set");
  else if (!/^arn:aws[a-z-]*:s3:::[^/]+$/.test(String(rule.destination.bucket)))
    problems.push(`destination.bucket ${JSON.stringify(rule.destination.bucket)} is not a bucket ARN: S3 expects arn:aws:s3:::<bucket>`);
  if (rule.deleteMarkerReplication?.status !== "Enabled")
    problems.push("deleteMarkerReplication must be Enabled, or the DR copy serves objects the primary deleted");
  if (rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status !== "Enabled") {
    problems.push("sourceSelectionCriteria.sseKmsEncryptedObjects must be Enabled, or SSE-KMS objects are not replicated");
  }
  if (!isCustomerKeyArn(rule.destination?.encryptionConfiguration?.replicaKmsKeyId)) {
    problems.push("destination.encryptionConfiguration.replicaKmsKeyId must be a KMS key ARN of the destination region");
  }
  if (rule.destination?.replicationTime?.status !== "Enabled" || rule.destination?.metrics?.status !== "Enabled") {
    problems.push("destination.replicationTime and destination.metrics must both be Enabled (Replication Time Control: 99.99% of objects in 15 minutes)");
  }
  return problems;
}

const replicationRules = resourcePolicy({
  name: "s3-replication-rules",
  description:
    "S3 replication has an Enabled rule that copies deletes and SSE-KMS objects with RTC and metrics (compliance-policies, SH S3.7, CKV_AWS_144, WA REL13-BP02)",
  enforcementLevel: "mandatory",
  type: TYPES.s3Replication,
  check: (props, _config, report) => {
    const rules = asList<Record<string, any>>(props.rules).filter((rule) => rule.status === "Enabled");
    if (rules.length === 0) report("has no Enabled rule: nothing is replicated to the DR region");
    for (const rule of rules) for (const problem of replicationRuleProblems(rule)) report(`rule ${rule.id ?? "(no id)"}: ${problem}`);
  },
});

/** True when two references are the same known, non-empty string (an unknown never matches another unknown). */
function sameName(a: unknown, b: unknown): boolean {
  return typeof a === "string" && a !== "" && a === b;
}

/** The companions of `bucket` of one type: resources whose `bucket` input came from it, or that name it. */
function companionsOf(bucket: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
  return ofType(resources, type).filter((companion) => dependsOn(companion, bucket, "bucket") || sameName(companion.props.bucket, bucket.props.bucket));
}

/** Buckets that receive logs: ALB access logs (which require SSE-S3) and S3 server access logs. */
function logDestinations(resources: PolicyResource[]): Set<string> {
  const fromBuckets = ofType(resources, TYPES.s3Logging).map((logging) => String(logging.props.targetBucket));
  return new Set([...albLogDestinations(resources), ...fromBuckets]);
}

/** Buckets that receive ALB access logs. */
function albLogDestinations(resources: PolicyResource[]): Set<string> {
  return new Set(
    ofType(resources, TYPES.loadBalancer)
      .map((loadBalancer) => loadBalancer.props.accessLogs)
      .filter((logs) => logs?.enabled === true)
      .map((logs) => String(logs.bucket)),
  );
}

/** The default-encryption problem of one bucket's SSE configuration, or undefined. */
export function encryptionProblem(sse: Record<string, any>, receivesAlbLogs: boolean): string | undefined {
  const rules = asList<Record<string, any>>(sse.rules);
  const byDefault = rules.map((rule) => rule.applyServerSideEncryptionByDefault).find((value) => value);
  const algorithm = byDefault?.sseAlgorithm;
  if (receivesAlbLogs) {
    return algorithm === "AES256"
      ? undefined
      : `receives ALB access logs, which support only SSE-S3: set sseAlgorithm AES256 (found ${JSON.stringify(algorithm)})`;
  }
  if (algorithm !== "aws:kms" && algorithm !== "aws:kms:dsse")
    return `sseAlgorithm is ${JSON.stringify(algorithm)}: use aws:kms with the region's customer-managed key`;
  if (!isCustomerKeyArn(byDefault?.kmsMasterKeyId)) return "kmsMasterKeyId must be the ARN of the region's customer-managed key";
  // S3 Bucket Keys exist for SSE-KMS only; DSSE-KMS does not support them.
  if (algorithm === "aws:kms" && !rules.some((rule) => rule.bucketKeyEnabled === true))
    return "bucketKeyEnabled must be true (S3 Bucket Keys cut KMS requests and cost)";
  return undefined;
}

const bucketCompanions = stackPolicy({
  name: "s3-bucket-safeguards",
  description:
    "Every S3 bucket has its public access block, BucketOwnerEnforced, versioning, a TLS-only policy and CMK default encryption (SSE-S3 only for ALB log buckets) (SH S3.5/8/12/14, CKV_AWS_145, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const albLogs = albLogDestinations(resources);
    for (const bucket of ofType(resources, TYPES.s3Bucket)) {
      const name = String(bucket.props.bucket ?? bucket.name);
      const has = (type: string) => companionsOf(bucket, resources, type);
      if (bucket.props.forceDestroy === true) report(`${bucket.name}: forceDestroy deletes every object on destroy; remove it`, bucket.urn);
      if (has(TYPES.s3PublicAccessBlock).length === 0) report(`${bucket.name}: has no BucketPublicAccessBlock; add one with all four flags true`, bucket.urn);
      if (has(TYPES.s3OwnershipControls).length === 0) report(`${bucket.name}: has no BucketOwnershipControls; add one with BucketOwnerEnforced`, bucket.urn);
      if (has(TYPES.s3Versioning).length === 0) report(`${bucket.name}: has no BucketVersioning; add one with status Enabled`, bucket.urn);
      if (!has(TYPES.s3Policy).some((policy) => deniesInsecureTransport(policy.props.policy))) {
        report(`${bucket.name}: has no bucket policy that denies requests without TLS; add one`, bucket.urn);
      }
      const encryption = has(TYPES.s3Encryption);
      if (encryption.length === 0)
        report(`${bucket.name}: has no BucketServerSideEncryptionConfiguration; add one with aws:kms and the region's key`, bucket.urn);
      for (const sse of encryption) {
        const problem = encryptionProblem(sse.props, albLogs.has(name));
        if (problem) report(`${bucket.name}: ${problem}`, bucket.urn);
      }
    }
  },
});

const bucketHousekeeping = stackPolicy({
  name: "s3-logging-and-lifecycle",
  description:
    "Every S3 bucket that is not itself a log destination logs its access, and every bucket has a lifecycle (AG s3-bucket-logging-enabled, SH S3.9, S3.13)",
  enforcementLevel: "advisory",
  check: (resources, _config, report) => {
    const destinations = logDestinations(resources);
    for (const bucket of ofType(resources, TYPES.s3Bucket)) {
      const name = String(bucket.props.bucket ?? bucket.name);
      if (!destinations.has(name) && companionsOf(bucket, resources, TYPES.s3Logging).length === 0) {
        report(`${bucket.name}: has no BucketLogging; send its server access logs to the log archive bucket`, bucket.urn);
      }
      if (companionsOf(bucket, resources, TYPES.s3Lifecycle).length === 0) report(`${bucket.name}: has no lifecycle configuration`, bucket.urn);
    }
  },
});

/** The name of the bucket an S3 ARN or name denotes (`arn:aws:s3:::name` or `name`). */
export function bucketNameOf(value: unknown): string {
  return String(value ?? "").replace(/^arn:aws[a-z-]*:s3:::/, "");
}

/** The stack's IAM role that a replication configuration names, through its `role` input or by ARN. */
function replicationRoleOf(config: PolicyResource, resources: PolicyResource[]): PolicyResource | undefined {
  return ofType(resources, TYPES.iamRole).find((candidate) => dependsOn(config, candidate, "role") || sameName(candidate.props.arn, config.props.role));
}

/**
 * Whether the replication role's inline policies allow an action on a resource, or undefined when the
 * role is not a role of this stack (s3-replication-cross-region reports that).
 */
function replicationRoleCan(config: PolicyResource, resources: PolicyResource[]): ((action: string, resource: string) => boolean) | undefined {
  const role = replicationRoleOf(config, resources);
  if (!role) return undefined;
  const rolePolicies = ofType(resources, TYPES.iamRolePolicy).filter(
    (policy) => dependsOn(policy, role, "role") || sameName(policy.props.role, role.props.name),
  );
  return (action, resource) => rolePolicies.some((policy) => allows(parseJson(policy.props.policy), action, resource));
}

const replicationWiring = stackPolicy({
  name: "s3-replication-cross-region",
  description:
    "DR invariant 3: the primary data bucket replicates into a versioned bucket of another region with a destination-region key, through a role that can read, replicate and use both keys (WA REL13-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const configs = ofType(resources, TYPES.s3Replication);
    // In the outage mode the primary bucket's replication configuration, in the failed region, is out of the stack (docs/outage-runbook.md).
    if (
      manifest?.role === "dr" &&
      manifest.primary &&
      manifest.primaryRegionDown !== true &&
      !configs.some((config) => bucketNameOf(config.props.bucket) === manifest.primary!.bucketName)
    ) {
      report(`the primary data bucket ${manifest.primary.bucketName} has no replication configuration into this DR stack; add one (BucketReplication)`);
    }
    const buckets = ofType(resources, TYPES.s3Bucket);
    for (const config of configs) {
      const sourceRegion = regionOf(config);
      const role = replicationRoleOf(config, resources);
      const can = replicationRoleCan(config, resources) ?? (() => false);
      const sourceArn = `arn:aws:s3:::${bucketNameOf(config.props.bucket)}`;
      if (!role) report(`${config.name}: its role is not a role of this stack; the replication role must be managed with the configuration`, config.urn);
      else {
        for (const [action, resource] of [
          ["s3:GetReplicationConfiguration", sourceArn],
          ["s3:GetObjectVersionForReplication", `${sourceArn}/*`],
        ]) {
          if (!can(action, resource)) report(`${config.name}: the replication role may not ${action} on ${resource}`, config.urn);
        }
        const sourceKey = manifest?.primary?.kmsKeyArn;
        if (sourceKey && !can("kms:Decrypt", sourceKey))
          report(`${config.name}: the replication role may not kms:Decrypt with the source key ${sourceKey}`, config.urn);
      }
      for (const rule of asList<Record<string, any>>(config.props.rules).filter((candidate) => candidate.status === "Enabled")) {
        const destinationName = bucketNameOf(rule.destination?.bucket);
        const destination = buckets.find((bucket) => bucket.props.bucket === destinationName);
        if (!destination) {
          report(
            `${config.name}: destination ${rule.destination?.bucket} is not a bucket of this stack, so its region and versioning cannot be checked; replicate into the DR stack's own bucket`,
            config.urn,
          );
          continue;
        }
        const destinationRegion = regionOf(destination);
        if (destinationRegion === sourceRegion)
          report(`${config.name}: source and destination are both in ${sourceRegion}; replicate into the DR region`, config.urn);
        if (!companionsOf(destination, resources, TYPES.s3Versioning).some((versioning) => versioning.props.versioningConfiguration?.status === "Enabled")) {
          report(
            `${config.name}: versioning is not Enabled on the destination ${destinationName}; S3 rejects replication into an unversioned bucket`,
            config.urn,
          );
        }
        const replicaKey = rule.destination?.encryptionConfiguration?.replicaKmsKeyId;
        if (replicaKey && arnRegionOf(replicaKey) !== destinationRegion) {
          report(
            `${config.name}: replicaKmsKeyId ${replicaKey} is a key of ${arnRegionOf(replicaKey)}; use a key of the destination region ${destinationRegion}`,
            config.urn,
          );
        }
        if (role && !can("s3:ReplicateObject", `${rule.destination?.bucket}/*`))
          report(`${config.name}: the replication role may not s3:ReplicateObject into ${rule.destination?.bucket}`, config.urn);
        if (role && replicaKey && !can("kms:Encrypt", replicaKey))
          report(`${config.name}: the replication role may not kms:Encrypt with the destination key ${replicaKey}`, config.urn);
      }
    }
  },
});

/** The provider's Object Lock configuration type (@pulumi/aws 7.x; the V2 type is a deprecated alias of it). */
export const OBJECT_LOCK_CONFIGURATION_TYPE = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";

/** Longest default retention S3 accepts: 100 years (S3 User Guide, "Setting limits on retention periods with a bucket policy"). */
const MAX_RETENTION = { days: 36500, years: 100 } as const;

/** One resource's first element of a property the provider may hand over as an object or a one-item list. */
function firstOf(value: unknown): Record<string, any> | undefined {
  return asList<Record<string, any>>(value as Record<string, any> | Record<string, any>[] | undefined)[0];
}

/** The default retention of an Object Lock configuration's properties, or undefined when it has none. */
export function defaultRetentionOf(props: Record<string, any>): Record<string, any> | undefined {
  return firstOf(firstOf(props.rule)?.defaultRetention);
}

/**
 * What is wrong with an Object Lock configuration's properties (PutObjectLockConfiguration, S3 API
 * Reference): `objectLockEnabled` must be `Enabled` (the provider's default when unset); a default
 * retention needs a mode, GOVERNANCE or COMPLIANCE, and exactly one of days (1..36500) or years (1..100).
 */
export function objectLockRetentionProblems(props: Record<string, any>): string[] {
  const problems: string[] = [];
  if (props.objectLockEnabled !== undefined && props.objectLockEnabled !== "Enabled") {
    problems.push(`objectLockEnabled is ${JSON.stringify(props.objectLockEnabled)}: the only value S3 accepts is Enabled`);
  }
  const retention = defaultRetentionOf(props);
  if (props.rule !== undefined && retention === undefined) problems.push("rule has no defaultRetention: give it a mode and days");
  if (retention === undefined) return problems;
  if (!["GOVERNANCE", "COMPLIANCE"].includes(retention.mode)) {
    problems.push(`rule.defaultRetention.mode is ${JSON.stringify(retention.mode)}: use GOVERNANCE or COMPLIANCE`);
  }
  const given = (["days", "years"] as const).filter((unit) => retention[unit] !== undefined && retention[unit] !== null);
  if (given.length !== 1) problems.push("rule.defaultRetention needs exactly one of days or years");
  for (const unit of given) {
    const value = retention[unit];
    if (!Number.isInteger(value) || value < 1 || value > MAX_RETENTION[unit]) {
      problems.push(`rule.defaultRetention.${unit} is ${JSON.stringify(value)}: use a whole number from 1 to ${MAX_RETENTION[unit]}`);
    }
  }
  return problems;
}

const objectLockRetention = resourcePolicy({
  name: "s3-object-lock-retention",
  description:
    "S3 Object Lock, where declared, is Enabled with a GOVERNANCE or COMPLIANCE default retention of 1 to 36500 days (SH S3.15, AG s3-bucket-default-lock-enabled)",
  enforcementLevel: "mandatory",
  type: OBJECT_LOCK_CONFIGURATION_TYPE,
  check: (props, _config, report) => {
    for (const problem of objectLockRetentionProblems(props)) report(problem);
  },
});

/** The replication configurations of the stack whose Enabled rules write into `bucket`. */
function replicationsInto(bucket: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, TYPES.s3Replication).filter((config) =>
    asList<Record<string, any>>(config.props.rules).some(
      (rule) => rule.status === "Enabled" && bucketNameOf(rule.destination?.bucket) === String(bucket.props.bucket ?? ""),
    ),
  );
}

const objectLockReplication = stackPolicy({
  name: "s3-object-lock-replication",
  description:
    "A replication destination with Object Lock (the DR copy) has a default retention, its replication role can read the source's retention and legal holds, a locked source replicates only into a locked destination, and no locked bucket receives access logs (SH S3.15, WA REL09-BP02)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const logTargets = logDestinations(resources);
    const buckets = ofType(resources, TYPES.s3Bucket);
    const lockOf = (bucket: PolicyResource) => companionsOf(bucket, resources, OBJECT_LOCK_CONFIGURATION_TYPE);
    for (const bucket of buckets) {
      const locks = lockOf(bucket);
      if (locks.length === 0) continue;
      const name = String(bucket.props.bucket ?? bucket.name);
      if (logTargets.has(name)) {
        report(`${bucket.name}: has Object Lock and receives access logs; S3 refuses log delivery into a locked bucket, so log to another bucket`, bucket.urn);
      }
      const replications = replicationsInto(bucket, resources);
      if (replications.length === 0) continue;
      if (!locks.some((lock) => defaultRetentionOf(lock.props) !== undefined)) {
        report(
          `${bucket.name}: is a replication destination with Object Lock but no default retention, so replicas of unlocked source versions are not locked; add rule.defaultRetention`,
          bucket.urn,
        );
      }
      for (const config of replications) {
        const can = replicationRoleCan(config, resources);
        const sourceObjects = `arn:aws:s3:::${bucketNameOf(config.props.bucket)}/*`;
        for (const action of ["s3:GetObjectRetention", "s3:GetObjectLegalHold"]) {
          if (can && !can(action, sourceObjects)) {
            report(
              `${config.name}: replicates into the locked ${name} but its role may not ${action} on ${sourceObjects}; grant it (BucketReplication destinationObjectLock)`,
              config.urn,
            );
          }
        }
      }
    }
    // A source with Object Lock fails to replicate into a destination without it (reason DstBucketObjectLockConfigMissing).
    for (const config of ofType(resources, TYPES.s3Replication)) {
      const source = buckets.find((bucket) => bucket.props.bucket === bucketNameOf(config.props.bucket));
      if (!source || lockOf(source).length === 0) continue;
      for (const rule of asList<Record<string, any>>(config.props.rules).filter((candidate) => candidate.status === "Enabled")) {
        const destination = buckets.find((bucket) => bucket.props.bucket === bucketNameOf(rule.destination?.bucket));
        if (destination && lockOf(destination).length === 0) {
          report(
            `${config.name}: the source ${source.props.bucket} has Object Lock but the destination ${destination.props.bucket} does not; S3 cannot replicate locked objects there, so enable Object Lock on the destination`,
            config.urn,
          );
        }
      }
    }
  },
});

/** True when a lifecycle rule applies to the whole bucket: no filter, an empty filter, or an empty prefix. */
function appliesToWholeBucket(rule: Record<string, any>): boolean {
  const filter = firstOf(rule.filter);
  const prefix = filter?.prefix ?? rule.prefix;
  const narrowed =
    filter !== undefined &&
    (filter.tag !== undefined || filter.and !== undefined || filter.objectSizeGreaterThan !== undefined || filter.objectSizeLessThan !== undefined);
  return !narrowed && (prefix === undefined || prefix === null || prefix === "");
}

/** True when a lifecycle configuration expires noncurrent versions of every object after a whole number of days. */
export function expiresNoncurrentVersions(lifecycleProps: Record<string, any>): boolean {
  return asList<Record<string, any>>(lifecycleProps.rules).some((rule) => {
    const days = firstOf(rule.noncurrentVersionExpiration)?.noncurrentDays;
    return rule.status === "Enabled" && appliesToWholeBucket(rule) && Number.isInteger(days) && days >= 1;
  });
}

const versionedNoncurrentExpiration = stackPolicy({
  name: "s3-versioned-noncurrent-expiration",
  description:
    "Every versioned S3 bucket expires noncurrent versions of all its objects, so overwrites and deletes stay undoable for a bounded time and cost (AG s3-version-lifecycle-policy-check, SH S3.13)",
  enforcementLevel: "advisory",
  check: (resources, _config, report) => {
    for (const bucket of ofType(resources, TYPES.s3Bucket)) {
      const versioned = companionsOf(bucket, resources, TYPES.s3Versioning).some(
        (versioning) => versioning.props.versioningConfiguration?.status === "Enabled",
      );
      if (!versioned) continue;
      if (!companionsOf(bucket, resources, TYPES.s3Lifecycle).some((lifecycleConfig) => expiresNoncurrentVersions(lifecycleConfig.props))) {
        report(
          `${bucket.name}: is versioned but no Enabled lifecycle rule expires the noncurrent versions of all its objects; add noncurrentVersionExpiration with noncurrentDays`,
          bucket.urn,
        );
      }
    }
  },
});

export const storagePolicies = [
  publicAccessBlock,
  aclsDisabled,
  tlsOnly,
  versioning,
  lifecycle,
  accessLoggingTarget,
  replicationRules,
  bucketCompanions,
  bucketHousekeeping,
  replicationWiring,
  objectLockRetention,
  objectLockReplication,
  versionedNoncurrentExpiration,
];
