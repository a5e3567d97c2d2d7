/**
 * The Route 53 changes the workflows make: one `changeResourceRecordSets` Task builder and the
 * record set they UPSERT (the PRIMARY failover record: failback and the drill; the failover makes no
 * record change). A change batch is applied atomically (Route 53 API Reference, ChangeResourceRecordSets).
 */
import { EVALUATE_TARGET_HEALTH } from "../config/conventions";
import { catchAll, sdkTask, type State } from "./asl";
import { type LoadBalancerAlias, type RecoveryTargets } from "./targets";

/**
 * A `route53:changeResourceRecordSets` Task on `hostedZoneId` applying `changes` in one batch.
 * With `track`, the change id lands at `$.dnsChange.id` for `dnsChangeWait`; otherwise the result is dropped.
 * Errors go to `onError` with `{ Error, Cause }` at `$.failure`.
 */
export function changeRecords(
  hostedZoneId: string,
  comment: string,
  changes: Record<string, unknown>[],
  options: { next: string; onError: string; track: boolean; stateComment?: string },
): State {
  return sdkTask(
    "route53",
    "changeResourceRecordSets",
    { HostedZoneId: hostedZoneId, ChangeBatch: { Comment: comment, Changes: changes } },
    {
      ...(options.track ? { ResultSelector: { "id.$": "$.ChangeInfo.Id" }, ResultPath: "$.dnsChange" } : { ResultPath: null }),
      Catch: catchAll(options.onError),
      Next: options.next,
      ...(options.stateComment ? { Comment: options.stateComment } : {}),
    },
  );
}

/** The UPSERT of the PRIMARY failover record, aliasing `target` and keeping the primary's health check. */
export function primaryRecordChange(targets: RecoveryTargets, target: LoadBalancerAlias): Record<string, unknown> {
  return {
    Action: "UPSERT",
    ResourceRecordSet: {
      Name: targets.dns.applicationName,
      Type: "A",
      SetIdentifier: targets.dns.primarySetIdentifier,
      Failover: "PRIMARY",
      HealthCheckId: targets.dns.healthCheckId,
      // The PRIMARY goes by its health check alone, whichever load balancer it aliases (config/conventions.ts).
      AliasTarget: { HostedZoneId: target.zoneId, DnsName: target.dnsName, EvaluateTargetHealth: EVALUATE_TARGET_HEALTH.PRIMARY },
    },
  };
}
