/**
 * The DR invariants of `checks.md` that this program asserts on the synthesized pair of stacks:
 * 1-2 (replica), 3 (S3 replication), 4 (failover records), 7 (parity), 8 (region isolation) and 10
 * (stateful protection).
 */
import { checkBucketReplication } from "./bucketReplication";
import { checkFailoverRecords } from "./failoverRecords";
import { type InvariantResult, type PlanPair } from "./plan";
import { checkRegionalParity } from "./regionalParity";
import { checkRegionIsolation } from "./regionIsolation";
import { checkReplica } from "./replica";
import { checkStatefulProtection } from "./statefulProtection";

export type { InvariantResult, PlanPair } from "./plan";

/** Runs every invariant; a result with no violations holds. */
export function checkDrInvariants(pair: PlanPair): InvariantResult[] {
  return [checkReplica, checkBucketReplication, checkFailoverRecords, checkRegionalParity, checkRegionIsolation, checkStatefulProtection].map((check) =>
    check(pair),
  );
}
