/**
 * DR invariant 13 (this program's addition to checks.md): a DynamoDB global table of the primary has
 * exactly one replica in the DR stack, in the DR region, encrypted with a key of that region, with
 * point-in-time recovery on; the table itself has point-in-time recovery and a key of its own region.
 */
import { arnRegion, type InvariantResult, type PlanPair, resourcesOfType, stringInput } from "./plan";
import { DYNAMODB_TABLE } from "./backups";

export const DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";

function enabled(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { enabled?: unknown }).enabled === true;
}

export function globalTableProblems({ primary, dr }: PlanPair): string[] {
  const problems: string[] = [];
  const tables = resourcesOfType(primary, DYNAMODB_TABLE);
  const replicas = resourcesOfType(dr, DYNAMODB_TABLE_REPLICA);
  for (const table of tables) {
    const encryption = table.inputs.serverSideEncryption as { enabled?: boolean; kmsKeyArn?: string } | undefined;
    if (encryption?.enabled !== true || encryption.kmsKeyArn === undefined || arnRegion(encryption.kmsKeyArn) !== table.region) {
      problems.push(`${primary.stack}/${table.name}: the table must be encrypted with a customer key of its own region ${table.region}`);
    }
    if (!enabled(table.inputs.pointInTimeRecovery)) problems.push(`${primary.stack}/${table.name}: point-in-time recovery is off`);
    const mine = replicas.filter((replica) => stringInput(replica, "globalTableArn") === table.outputs.arn);
    if (mine.length !== 1) problems.push(`${primary.stack}/${table.name}: has ${mine.length} replicas in the DR stack; a global table needs exactly one`);
  }
  for (const replica of replicas) {
    const source = tables.find((table) => table.outputs.arn === stringInput(replica, "globalTableArn"));
    if (!source) {
      problems.push(`${dr.stack}/${replica.name}: globalTableArn ${stringInput(replica, "globalTableArn") ?? "unset"} is not a table of the primary stack`);
      continue;
    }
    if (replica.region === source.region) problems.push(`${dr.stack}/${replica.name}: the replica is in the table's own region ${replica.region}`);
    const key = stringInput(replica, "kmsKeyArn");
    if (key === undefined || arnRegion(key) !== replica.region) {
      problems.push(`${dr.stack}/${replica.name}: kmsKeyArn ${key ?? "unset"} must be a key of the replica's region ${replica.region}`);
    }
    if (replica.inputs.pointInTimeRecovery !== true) problems.push(`${dr.stack}/${replica.name}: point-in-time recovery is off on the replica`);
  }
  return problems;
}

export function checkGlobalTable(pair: PlanPair): InvariantResult {
  return {
    id: 13,
    title: "DynamoDB global table: one replica in the DR region, own-region keys, point-in-time recovery on both sides (13)",
    violations: globalTableProblems(pair),
  };
}
