/**
 * The DR invariants of `checks.md` that this program asserts on the synthesized pair of stacks:
 * 1-2 (replica), 3 (S3 replication), 4 (failover records), 7 (parity), 8 (region isolation), 10
 * (stateful protection), 11 (the recovery budget meets the declared RTO and RPO), and this program's
 * 12 (backups copied to the DR region), 13 (DynamoDB global table replica) and 14 (the unplanned
 * failover and its trigger need nothing from the primary region or a control plane homed in one region)
 * and 15 (the DR app runs from the DR region's own copies of its image, secrets and parameters) and 16
 * (the ARC Region switch plan, when the DR stack's orchestrator is region-switch, can fail over and back),
 * 17 (with `edge.cloudFront`, one DR-owned distribution in front of both load balancers, which take only
 * CloudFront) and 18 (with `cache.engine`, a cache in each region under its own key, the DR member joined
 * to the primary's global datastore with its lag alarm in the DR region).
 */
import { checkAppCopies } from "./appCopies";
import { checkBackups } from "./backups";
import { checkBucketReplication } from "./bucketReplication";
import { checkCache } from "./cache";
import { checkDataPlaneFailover } from "./dataPlaneFailover";
import { checkEdge } from "./edge";
import { checkFailoverRecords } from "./failoverRecords";
import { checkGlobalTable } from "./globalTable";
import { type InvariantResult, type PlanPair } from "./plan";
import { checkRegionalParity } from "./regionalParity";
import { checkRecoveryBudget } from "./recoveryBudget";
import { checkRegionIsolation } from "./regionIsolation";
import { checkRegionSwitchPlan } from "./regionSwitch";
import { checkReplica } from "./replica";
import { checkStatefulProtection } from "./statefulProtection";

export type { InvariantResult, PlanPair } from "./plan";

/** Runs every invariant; a result with no violations holds. */
export function checkDrInvariants(pair: PlanPair): InvariantResult[] {
  return [
    checkReplica,
    checkBucketReplication,
    checkFailoverRecords,
    checkRegionalParity,
    checkRegionIsolation,
    checkStatefulProtection,
    checkRecoveryBudget,
    checkBackups,
    checkGlobalTable,
    checkDataPlaneFailover,
    checkAppCopies,
    checkRegionSwitchPlan,
    checkEdge,
    checkCache,
  ].map((check) => check(pair));
}
