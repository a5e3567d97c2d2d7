/**
 * The fence (components/failoverRouting.ts) as the workflows flip it: one datapoint of the fence metric
 * in the DR region (PutMetricData: 1 fences the primary, 0 releases it), then its alarm's state, then
 * the time Route 53's health checkers take to follow the alarm. Every call is CloudWatch of the DR
 * region: nothing here needs the primary region or Route 53's control plane (us-east-1).
 */
import { alarmState } from "./checks";
import { catchAll, poll, pollStart, sdkTask, type State } from "./asl";
import { type RecoveryTargets } from "./targets";
import { POLLING } from "./timing";

/**
 * Seconds this program allows Route 53's health checkers to follow the fence alarm's new state. Route
 * 53 documents no bound for a health check based on a CloudWatch alarm; its checkers read the alarm's
 * data stream (Route 53 Developer Guide, "How Amazon Route 53 determines the status of health checks
 * that monitor CloudWatch alarms"). 60 s, as a Route 53 change's propagation.
 */
export const FENCE_PROPAGATION_SECONDS = 60;

export interface FenceStep {
  /** 1 fences the primary (failover), 0 releases it (failback). */
  value: 0 | 1;
  /** Name of the first state, e.g. `Fence the primary`. */
  start: string;
  /** Where to go once Route 53 follows the fence. */
  next: string;
  /** Where to go when the alarm does not reach its state in time (POLLING.fence). */
  onTimeout: string;
  /** Where errors go. */
  onError: string;
}

/** The states of one flip of the fence: `<start>` -> `<start>: alarm` poll -> `<start>: Route 53` wait -> `next`. */
export function fenceStates(targets: RecoveryTargets, step: FenceStep): Record<string, State> {
  const fence = targets.fence;
  const alarm = `${step.start}: alarm`;
  const propagation = `${step.start}: Route 53`;
  return {
    [step.start]: sdkTask(
      "cloudwatch",
      "putMetricData",
      { Namespace: fence.namespace, MetricData: [{ MetricName: fence.metricName, Dimensions: fence.dimensions, Value: step.value, Unit: "None" }] },
      { ResultPath: null, Catch: catchAll(step.onError), Next: pollStart(alarm) },
    ),
    ...poll({
      name: alarm,
      check: alarmState(fence.alarmName),
      resultPath: "$.fence",
      // A missing alarm answers no state: not done, so the poll times out (FenceNotInEffect) instead of a States.Runtime error.
      done: [
        {
          And: [
            { Variable: "$.fence.states[0]", IsPresent: true },
            { Variable: "$.fence.states[0]", StringEquals: step.value === 1 ? "ALARM" : "OK" },
          ],
        },
      ],
      ...POLLING.fence,
      next: propagation,
      onTimeout: step.onTimeout,
      onError: step.onError,
    }),
    [propagation]: { Type: "Wait", Seconds: FENCE_PROPAGATION_SECONDS, Next: step.next },
  };
}
