/**
 * The Region switch plan's custom action (components/regionSwitchPlan.ts): what no execution block
 * does. ARC invokes it in the DR region with the execution's metadata only (`InvokedBy`, `PlanArn`,
 * `ExecutionId`, `StepName`: ARC API Reference, `Lambdas` `payload`, "If you don't specify a payload,
 * Region switch invokes the function with only the execution metadata"); the step name selects the
 * action from `ACTIONS` (JSON, step name -> action), set at deploy time.
 *
 * The one action, `point-database-name`: the stable database name of the activated region (a CNAME in
 * that region's private zone, components/stableDatabaseName.ts) UPSERTed to the address of that
 * region's database, read from RDS in its region (DescribeDBInstances `Endpoint.Address`, or
 * DescribeDBClusters `Endpoint` for an Aurora cluster's writer endpoint). UPSERT is idempotent
 * (Route 53 API Reference, ChangeResourceRecordSets: "If a resource record set does exist, Route 53
 * updates it with the values in the request"), so a retry or a name already right changes nothing.
 * Throws (the step fails, ARC retries it every `retryIntervalMinutes`) when the database has no
 * endpoint yet or a call fails.
 */
import console from "node:console";
import process from "node:process";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";

/** The environment variable holding the actions. */
export const ACTIONS_VARIABLE = "ACTIONS";

/**
 * @param {string | undefined} text the ACTIONS variable
 * @returns {Record<string, { kind: "point-database-name", zoneId: string, fqdn: string, ttlSeconds: number, region: string, database: "instance" | "cluster", identifier: string }>}
 * @throws Error when it is missing or not a JSON object.
 */
export function parseActions(text) {
  if (!text) throw new Error(`${ACTIONS_VARIABLE} is not set`);
  const actions = JSON.parse(text);
  if (actions === null || typeof actions !== "object" || Array.isArray(actions))
    throw new Error(`${ACTIONS_VARIABLE} must be a JSON object of step name -> action`);
  return actions;
}

/**
 * The database's address in its region.
 * @param {{ send: (command: unknown) => Promise<any> }} rds an RDS client of the database's region
 * @throws Error when RDS returns no endpoint (the database is being created or renamed).
 */
export async function databaseAddress(rds, action) {
  if (action.database === "cluster") {
    const { DBClusters } = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: action.identifier }));
    const address = DBClusters?.[0]?.Endpoint;
    if (!address) throw new Error(`DB cluster ${action.identifier} in ${action.region} has no writer endpoint yet`);
    return address;
  }
  const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: action.identifier }));
  const address = DBInstances?.[0]?.Endpoint?.Address;
  if (!address) throw new Error(`DB instance ${action.identifier} in ${action.region} has no endpoint yet`);
  return address;
}

/**
 * Runs the action of `event.StepName`.
 * @param {{ StepName?: string }} event ARC's execution metadata
 * @param {{ actions: ReturnType<typeof parseActions>, rdsIn: (region: string) => { send: Function }, changeRecords: (input: object) => Promise<unknown> }} clients
 *   `changeRecords` sends a Route 53 ChangeResourceRecordSets request
 * @returns {Promise<{ step: string, fqdn: string, address: string }>}
 * @throws Error naming the step when it has no action.
 */
export async function runAction(event, { actions, rdsIn, changeRecords }) {
  const step = event?.StepName;
  const action = step === undefined ? undefined : actions[step];
  if (!action) throw new Error(`no action for step ${JSON.stringify(step)}; known steps: ${Object.keys(actions).join(", ")}`);
  const address = await databaseAddress(rdsIn(action.region), action);
  await changeRecords({
    HostedZoneId: action.zoneId,
    ChangeBatch: {
      Comment: `Region switch ${step}`,
      Changes: [{ Action: "UPSERT", ResourceRecordSet: { Name: action.fqdn, Type: "CNAME", TTL: action.ttlSeconds, ResourceRecords: [{ Value: address }] } }],
    },
  });
  return { step, fqdn: action.fqdn, address };
}

export async function handler(event) {
  const actions = parseActions(process.env[ACTIONS_VARIABLE]);
  // The Lambda runtime's AWS SDK v3 has the Route 53 client (Lambda Developer Guide, "Building Lambda functions with Node.js").
  const { ChangeResourceRecordSetsCommand, Route53Client } = await import("@aws-sdk/client-route-53");
  const route53 = new Route53Client({});
  const changeRecords = (input) => route53.send(new ChangeResourceRecordSetsCommand(input));
  const result = await runAction(event, { actions, rdsIn: (region) => new RDSClient({ region }), changeRecords });
  console.log(JSON.stringify({ message: "database name pointed", ...result }));
  return result;
}
