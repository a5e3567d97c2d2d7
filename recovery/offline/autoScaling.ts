/**
 * A simulated Auto Scaling Group and the ALB target group its instances register with.
 *
 * Instances launched at `t` are `Pending` until `t + ec2LaunchSeconds`, then `InService` (Amazon EC2
 * Auto Scaling User Guide, "Amazon EC2 Auto Scaling instance lifecycle": "Pending" while the instance
 * launches, then "InService"); as a target they are `initial` from then until the app answers /health
 * (`appBootSeconds` after InService) and the target group has seen `healthyThreshold` good checks
 * `interval` apart, then `healthy` (Elastic Load Balancing User Guide for ALBs, "Health checks for
 * your target groups": `initial` "Initial health checks in progress", reason `Elb.InitialHealthChecking`).
 * UpdateAutoScalingGroup validates the sizes and refuses with `ValidationError` (Amazon EC2 Auto
 * Scaling API Reference, UpdateAutoScalingGroup: "The new settings take effect on any scaling
 * activities after this call returns"; the launch is an asynchronous scaling activity, so a Describe
 * right after the call may show no new instance). Scale-in moves the newest instances to
 * `Terminating`: they leave the target group, drain for its deregistration delay (the app still runs
 * and can still write), then terminate (`deregistrationDelaySeconds` + `instanceTerminationSeconds`;
 * EC2 Auto Scaling User Guide, "Use Elastic Load Balancing to distribute incoming application traffic
 * in your Auto Scaling group"); DescribeAutoScalingGroups lists them until they are gone. Faults: launches that never succeed (InsufficientInstanceCapacity:
 * no instance appears), new instances whose app never passes /health (`unhealthy` after
 * `unhealthyThreshold` checks), and a DescribeAutoScalingGroups that lags behind the changes
 * (`describe(t, arn, lag)`, see database.ts on eventual consistency).
 * Simplification: unhealthy instances are not replaced (the group's ELB health check would replace
 * them after its grace period, with instances that fail the same way).
 */
import type { Capacity } from "../targets";
import type { Durations } from "./durations";

/** UpdateAutoScalingGroup refused (AWS returns a ValidationError). */
export class AutoScalingFault extends Error {
  override name = "ValidationError";
}

interface Instance {
  id: string;
  launchedAt: number;
  /** Scale-in chose it: deregistered and draining from here, gone at `terminatedAt`. */
  terminatingAt?: number;
  terminatedAt?: number;
  failsHealth: boolean;
}

export interface AutoScalingSetup {
  name: string;
  region: string;
  capacity: Capacity;
  /** Launches from this simulated second on never produce an instance. */
  launchesFailFrom?: number;
  /** Instances launched from this simulated second on never pass /health. */
  newInstancesUnhealthyFrom?: number;
}

export class SimulatedAutoScalingGroup {
  readonly name: string;
  readonly region: string;
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
  private readonly instances: Instance[] = [];
  private counter = 0;
  private readonly launchesFailFrom: number;
  private readonly newInstancesUnhealthyFrom: number;
  /** Simulated second the desired capacity last became 0 (writes stop), if it is 0. */
  zeroSince?: number;
  /** Successful updates, in order. */
  readonly updates: { at: number; capacity: Capacity }[] = [];
  private readonly initialCapacity: Capacity;

  /** The group starts with `capacity.desiredCapacity` instances launched an hour before `t`, all healthy. */
  constructor(
    setup: AutoScalingSetup,
    private readonly durations: Durations,
    t: number,
  ) {
    this.name = setup.name;
    this.region = setup.region;
    this.minSize = setup.capacity.minSize;
    this.desiredCapacity = setup.capacity.desiredCapacity;
    this.maxSize = setup.capacity.maxSize;
    this.launchesFailFrom = setup.launchesFailFrom ?? Number.POSITIVE_INFINITY;
    this.newInstancesUnhealthyFrom = setup.newInstancesUnhealthyFrom ?? Number.POSITIVE_INFINITY;
    this.initialCapacity = { ...setup.capacity };
    for (let index = 0; index < this.desiredCapacity; index++) this.launch(t - 3600, false);
    if (this.desiredCapacity === 0) this.zeroSince = t - 3600;
  }

  /** UpdateAutoScalingGroup at `t`. @throws AutoScalingFault for sizes AWS rejects. */
  update(t: number, capacity: Capacity): void {
    const { minSize, desiredCapacity, maxSize } = capacity;
    for (const [key, value] of Object.entries(capacity)) {
      if (!Number.isInteger(value) || value < 0) throw new AutoScalingFault(`${key} must be a non-negative integer, got ${String(value)}`);
    }
    if (minSize > maxSize) throw new AutoScalingFault(`The parameter MinSize (${minSize}) cannot be greater than MaxSize (${maxSize}).`);
    if (desiredCapacity < minSize || desiredCapacity > maxSize) {
      throw new AutoScalingFault(`Desired capacity:${desiredCapacity} must be between the specified min size:${minSize} and max size:${maxSize}`);
    }
    this.minSize = minSize;
    this.maxSize = maxSize;
    if (desiredCapacity === 0 && this.desiredCapacity !== 0) this.zeroSince = t;
    if (desiredCapacity !== 0) this.zeroSince = undefined;
    this.desiredCapacity = desiredCapacity;
    this.updates.push({ at: t, capacity: { minSize, desiredCapacity, maxSize } });
    const staying = this.live(t).filter((instance) => instance.terminatingAt === undefined);
    for (let index = staying.length; index < desiredCapacity; index++) {
      if (t < this.launchesFailFrom) this.launch(t, t >= this.newInstancesUnhealthyFrom);
    }
    for (const instance of staying.slice(desiredCapacity).reverse()) {
      instance.terminatingAt = t;
      instance.terminatedAt = t + this.durations.deregistrationDelaySeconds + this.durations.instanceTerminationSeconds;
    }
  }

  private launch(t: number, failsHealth: boolean): void {
    this.counter += 1;
    const regionCode = this.region.replace(/[^a-z0-9]/g, "").slice(-4);
    this.instances.push({ id: `i-0${regionCode}${this.counter.toString(16).padStart(12, "0")}`, launchedAt: t, failsHealth });
  }

  private live(t: number): Instance[] {
    return this.instances.filter((instance) => instance.launchedAt <= t && (instance.terminatedAt === undefined || instance.terminatedAt > t));
  }

  private lifecycle(instance: Instance, t: number): "Pending" | "InService" | "Terminating" {
    if (instance.terminatingAt !== undefined && t >= instance.terminatingAt) return "Terminating";
    return t >= instance.launchedAt + this.durations.ec2LaunchSeconds ? "InService" : "Pending";
  }

  /** Target health of an instance at `t`, or undefined while it is not registered (Pending). */
  private targetState(instance: Instance, t: number): "initial" | "healthy" | "unhealthy" | undefined {
    if (this.lifecycle(instance, t) !== "InService") return undefined;
    const appReady = instance.launchedAt + this.durations.ec2LaunchSeconds + this.durations.appBootSeconds;
    const interval = this.durations.targetHealthCheckIntervalSeconds;
    if (instance.failsHealth) return t >= appReady + this.durations.targetUnhealthyThreshold * interval ? "unhealthy" : "initial";
    return t >= appReady + this.durations.targetHealthyThreshold * interval ? "healthy" : "initial";
  }

  /** Instances in any lifecycle state at `t` (Pending, InService, Terminating): the ones that can still run the app. */
  instanceCount(t: number): number {
    return this.live(t).length;
  }

  /**
   * When the app's writes stopped: the moment the last instance was gone, if the group is at 0 and
   * has no instance left at `t`; undefined otherwise.
   */
  writesStoppedAt(t: number): number | undefined {
    if (this.zeroSince === undefined || t < this.zeroSince || this.live(t).length > 0) return undefined;
    const gone = this.instances.map((instance) => instance.terminatedAt ?? Number.NEGATIVE_INFINITY).filter((at) => at <= t);
    return Math.max(this.zeroSince, ...gone);
  }

  inService(t: number): number {
    return this.live(t).filter((instance) => this.lifecycle(instance, t) === "InService").length;
  }

  healthy(t: number): number {
    return this.live(t).filter((instance) => this.targetState(instance, t) === "healthy").length;
  }

  unhealthy(t: number): number {
    return this.live(t).filter((instance) => this.targetState(instance, t) === "unhealthy").length;
  }

  /** The sizes at `t`: the last update made by then, else the initial ones. */
  capacityAt(t: number): Capacity {
    return [...this.updates].reverse().find((update) => update.at <= t)?.capacity ?? this.initialCapacity;
  }

  /**
   * DescribeAutoScalingGroups' entry for this group, in Step Functions' SDK integration casing
   * (`AutoScalingGroupARN`, `Instances[].LifecycleState`), as of `lag` seconds ago (0: now).
   */
  describe(t: number, arn: string | undefined, lag = 0): Record<string, unknown> {
    const seen = t - Math.max(0, lag);
    const capacity = this.capacityAt(seen);
    return {
      AutoScalingGroupName: this.name,
      ...(arn ? { AutoScalingGroupARN: arn } : {}),
      MinSize: capacity.minSize,
      MaxSize: capacity.maxSize,
      DesiredCapacity: capacity.desiredCapacity,
      HealthCheckType: "ELB",
      HealthCheckGracePeriod: 120,
      Instances: this.live(seen).map((instance) => ({
        InstanceId: instance.id,
        LifecycleState: this.lifecycle(instance, seen),
        HealthStatus: "Healthy",
        ProtectedFromScaleIn: false,
      })),
    };
  }

  /** DescribeTargetHealth's descriptions for the group's target group. */
  targetHealthDescriptions(t: number, port: number): Record<string, unknown>[] {
    return this.live(t).flatMap((instance) => {
      const state = this.targetState(instance, t);
      if (!state) return [];
      const reason =
        state === "initial"
          ? { Reason: "Elb.InitialHealthChecking", Description: "Initial health checks in progress" }
          : state === "unhealthy"
            ? { Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [503]" }
            : {};
      return [{ Target: { Id: instance.id, Port: port }, HealthCheckPort: String(port), TargetHealth: { State: state, ...reason } }];
    });
  }

  get capacity(): Capacity {
    return { minSize: this.minSize, desiredCapacity: this.desiredCapacity, maxSize: this.maxSize };
  }
}
