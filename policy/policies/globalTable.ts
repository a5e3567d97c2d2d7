/**
 * DynamoDB global table policies: every table and table replica keeps point-in-time recovery (the
 * restore path for a corrupting write that replication copied to every region), is encrypted with a
 * customer-managed KMS key of its own region (each region must run alone, DR invariant 8), has
 * deletion protection, and a replica lives in another region than the table it joins. They apply
 * only where such resources exist: a stack without `globalTable.enabled` passes them all.
 */
import { isCustomerKeyArn } from "./database";
import { ofType, regionOf, resourcePolicy, type ResourceArgs, stackPolicy } from "./kit";
import { manifestOf } from "./manifest";

/** The resource types these policies judge. */
export const GLOBAL_TABLE_TYPES = {
  table: "aws:dynamodb/table:Table",
  tableReplica: "aws:dynamodb/tableReplica:TableReplica",
} as const;

const BOTH = [GLOBAL_TABLE_TYPES.table, GLOBAL_TABLE_TYPES.tableReplica] as const;

/**
 * The region and name of a DynamoDB table ARN (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`),
 * or undefined for anything else (unknown at preview, a stream or index ARN, another service's ARN).
 */
export function tableArnParts(arn: unknown): { region: string; tableName: string } | undefined {
  const match = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):\d{12}:table\/([a-zA-Z0-9_.-]+)$/.exec(String(arn ?? ""));
  return match ? { region: match[1], tableName: match[2] } : undefined;
}

/** The region of a KMS key ARN, or undefined when it is not one. */
function keyRegion(arn: unknown): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//.exec(String(arn ?? ""))?.[1];
}

/** `table` or `table replica`, for messages. */
function what(resource: ResourceArgs): string {
  return resource.type === GLOBAL_TABLE_TYPES.tableReplica ? "table replica" : "table";
}

const pointInTimeRecovery = resourcePolicy({
  name: "dynamodb-point-in-time-recovery",
  description:
    "DynamoDB tables and table replicas keep point-in-time recovery, so a corrupting write or delete that replication copied to every region can be undone by a restore to a second before it (SH DynamoDB.2, CKV_AWS_28, WA REL09-BP01)",
  enforcementLevel: "mandatory",
  type: BOTH,
  check: (props, _config, report, resource) => {
    const enabled = resource.type === GLOBAL_TABLE_TYPES.tableReplica ? props.pointInTimeRecovery === true : props.pointInTimeRecovery?.enabled === true;
    if (!enabled) {
      report(
        resource.type === GLOBAL_TABLE_TYPES.tableReplica
          ? "pointInTimeRecovery is not true: set it, or the DR replica cannot be restored to a point before a bad write"
          : "pointInTimeRecovery.enabled is not true: enable it, or the table cannot be restored to a point before a bad write",
      );
    }
  },
});

const customerKey = resourcePolicy({
  name: "dynamodb-customer-key",
  description:
    "DynamoDB tables and table replicas are encrypted with a customer-managed KMS key of their own region, never the AWS-owned or AWS-managed key and never another region's key, so each region decrypts its data alone (CKV_AWS_119, WA SEC08-BP01, DR invariant 8)",
  enforcementLevel: "mandatory",
  type: BOTH,
  check: (props, _config, report, resource) => {
    const replica = resource.type === GLOBAL_TABLE_TYPES.tableReplica;
    const keyArn = replica ? props.kmsKeyArn : props.serverSideEncryption?.kmsKeyArn;
    const property = replica ? "kmsKeyArn" : "serverSideEncryption.kmsKeyArn";
    if (!replica && props.serverSideEncryption?.enabled !== true) {
      report(
        "serverSideEncryption.enabled is not true: the table would use the AWS-owned key; enable it with kmsKeyArn set to the region's customer-managed key",
      );
      return;
    }
    if (!isCustomerKeyArn(keyArn)) {
      report(
        `${property} ${JSON.stringify(keyArn ?? null)} is not a customer-managed key ARN: pass the region's KMS key ARN, not the default aws/dynamodb key or an alias`,
      );
      return;
    }
    const region = regionOf(resource);
    const ofKey = keyRegion(keyArn);
    if (region !== undefined && ofKey !== undefined && ofKey !== region) {
      report(`${property} is a key of ${ofKey}; a ${what(resource)} in ${region} must use a key of its own region, or it cannot be read when ${ofKey} is down`);
    }
  },
});

const deletionProtection = resourcePolicy({
  name: "dynamodb-deletion-protection",
  description:
    "DynamoDB tables and table replicas have deletion protection: deleting a table also deletes its point-in-time recovery window (SH DynamoDB.6, DR invariant 10)",
  enforcementLevel: "mandatory",
  type: BOTH,
  check: (props, _config, report, resource) => {
    if (props.deletionProtectionEnabled !== true)
      report(`deletionProtectionEnabled is not true: set it so the ${what(resource)} and its backups cannot be deleted by one call`);
  },
});

const replicaInOtherRegion = resourcePolicy({
  name: "dynamodb-replica-other-region",
  description:
    "A DynamoDB table replica joins a table of another region, and a table's own replica blocks name other regions: a replica in the table's region protects from no regional outage (DynamoDB global tables; DR invariant 13)",
  enforcementLevel: "mandatory",
  type: BOTH,
  check: (props, _config, report, resource) => {
    const region = regionOf(resource);
    if (resource.type === GLOBAL_TABLE_TYPES.table) {
      const replicas: unknown[] = Array.isArray(props.replicas) ? props.replicas : [];
      for (const entry of replicas) {
        const replicaRegion = (entry as { regionName?: unknown } | null)?.regionName;
        if (region !== undefined && replicaRegion === region) report(`replicas lists the table's own region ${region}; a replica must be in another region`);
      }
      return;
    }
    const table = tableArnParts(props.globalTableArn);
    if (table === undefined) {
      // Unknown at preview (an Output of the primary's stack): judged again at update.
      if (typeof props.globalTableArn === "string" && props.globalTableArn !== "") {
        report(`globalTableArn ${props.globalTableArn} is not a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)`);
      }
      return;
    }
    if (region !== undefined && table.region === region) {
      report(
        `joins the table ${table.tableName} of its own region ${region}: a replica must be in another region (the DR region) to survive the loss of ${region}`,
      );
    }
  },
});

const replicaDeclared = stackPolicy({
  name: "dynamodb-replica-of-declared-table",
  description:
    "A DR stack whose primary declares a DynamoDB global table keeps one replica of it in the DR region: without it the table's data is not in the DR region (DR invariant 13)",
  enforcementLevel: "mandatory",
  check: (resources, _config, report) => {
    const manifest = manifestOf(resources)?.manifest;
    const tableArn = manifest?.role === "dr" ? manifest.primary?.globalTableArn : undefined;
    if (manifest === undefined || tableArn === undefined) return;
    const replicas = ofType(resources, GLOBAL_TABLE_TYPES.tableReplica).filter(
      (replica) => regionOf(replica) === manifest.region && (replica.props.globalTableArn === undefined || replica.props.globalTableArn === tableArn),
    );
    if (replicas.length !== 1)
      report(`the primary declares the global table ${tableArn}; the DR stack needs exactly one replica of it in ${manifest.region}, has ${replicas.length}`);
  },
});

export const globalTablePolicies = [pointInTimeRecovery, customerKey, deletionProtection, replicaInOtherRegion, replicaDeclared];
