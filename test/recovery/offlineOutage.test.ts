/**
 * The offline drill's outage model (issue 18, item 7): Route 53's data plane as synthesized
 * (recovery/offline/healthChecks.ts, fromPlan.ts `routingFromPlan`), the failed region's APIs and
 * Route 53's control plane failing from the world (cloud.ts), and the writes that could reach the old
 * primary. Failure paths included: a routing the model cannot evaluate, a plan it cannot read, a
 * scenario that needs us-east-1 as the primary.
 */
import { expect } from "chai";
import { sdkTask } from "../../recovery/asl";
import { SimulatedCloud } from "../../recovery/offline/cloud";
import { VirtualClock } from "../../recovery/offline/clock";
import { DEFAULT_DURATIONS } from "../../recovery/offline/durations";
import { PlanError, type PlanLike, routingFromPlan } from "../../recovery/offline/fromPlan";
import { defaultRouting, type HealthCheckSpec, HealthChecks, type HealthCheckWorld, RoutingError, type RoutingSpec } from "../../recovery/offline/healthChecks";
import { scenarioNamed } from "../../recovery/offline/scenarios";
import { usEast1Lost } from "../../recovery/offline/scenarioParts";
import { runScenario } from "../../recovery/offline/simulate";
import { systemFromTargets } from "../../recovery/offline/system";
import { recoveryTargetsFixture } from "../fixtures/recoveryTargets";

const PREFIX = "multi-region-dr-dr";

/** A world whose endpoint `lb` serves per `serving`, and whose alarms read per `alarm`. */
function world(
  serving: (t: number) => boolean,
  alarm: (name: string, region: string, t: number) => "OK" | "ALARM" | "INSUFFICIENT_DATA" = () => "OK",
): HealthCheckWorld {
  return { endpointServing: (_fqdn, t) => serving(t), alarmState: alarm, now: () => 100000 };
}

const endpoint = (extra: Partial<HealthCheckSpec> = {}): HealthCheckSpec =>
  ({ id: "e", type: "HTTP", fqdn: "lb.example", intervalSeconds: 10, failureThreshold: 3, inverted: false, ...extra }) as HealthCheckSpec;

const routing = (healthChecks: HealthCheckSpec[], recordCheck?: string): RoutingSpec => ({
  healthChecks,
  records: [
    {
      role: "PRIMARY",
      setIdentifier: "p",
      alias: { dnsName: "lb.example", zoneId: "Z", evaluateTargetHealth: false },
      ...(recordCheck ? { healthCheckId: recordCheck } : {}),
    },
  ],
  source: "a test",
});

describe("Route 53 health checks as the drill models them (healthChecks.ts)", function () {
  it("an endpoint check changes status only after FailureThreshold consecutive checks that disagree (10 s x 3)", function () {
    const checks = new HealthChecks(
      routing([endpoint()]),
      world((t) => t < 0),
      60,
    );
    // Down from 0: checks at 10, 20, 30 see it down; unhealthy from the third.
    expect([0, 29, 30].map((t) => checks.healthy("e", t))).to.deep.equal([true, true, false]);
  });

  it("a flap shorter than the threshold never turns the check healthy again (20 s up, 40 s down)", function () {
    const checks = new HealthChecks(
      routing([endpoint()]),
      world((t) => t < 0 || (t >= 600 && (t - 600) % 60 < 20)),
      60,
    );
    const statuses = Array.from({ length: 60 }, (_, index) => checks.healthy("e", 600 + index * 10));
    expect(statuses.every((status) => !status)).to.equal(true);
  });

  it("inverted checks, calculated thresholds (0 always healthy, above the children always unhealthy)", function () {
    const checks = new HealthChecks(
      routing([
        endpoint(),
        endpoint({ id: "not-e", inverted: true }),
        { id: "any", type: "CALCULATED", children: ["e", "not-e"], threshold: 1, inverted: false },
        { id: "both", type: "CALCULATED", children: ["e", "not-e"], threshold: 2, inverted: false },
        { id: "none", type: "CALCULATED", children: ["e"], threshold: 0, inverted: false },
        { id: "never", type: "CALCULATED", children: ["e"], threshold: 2, inverted: false },
      ]),
      world(() => true),
      60,
    );
    expect(["e", "not-e", "any", "both", "none", "never"].map((id) => checks.healthy(id, 100))).to.deep.equal([true, false, true, false, true, false]);
  });

  it("CLOUDWATCH_METRIC: ALARM unhealthy, OK healthy, followed late; without data per InsufficientDataHealthStatus (LastKnownStatus: the last verdict, healthy if none)", function () {
    const alarm = (_name: string, region: string, t: number) =>
      region === "down-region" ? "INSUFFICIENT_DATA" : t < 500 ? "INSUFFICIENT_DATA" : t < 1000 ? "ALARM" : "INSUFFICIENT_DATA";
    const check = (id: string, insufficientData: "Healthy" | "Unhealthy" | "LastKnownStatus", alarmRegion = "r", inverted = false): HealthCheckSpec => ({
      id,
      type: "CLOUDWATCH_METRIC",
      alarmName: "a",
      alarmRegion,
      insufficientData,
      inverted,
    });
    const checks = new HealthChecks(
      routing([
        check("last", "LastKnownStatus"),
        check("bad", "Unhealthy"),
        check("good", "Healthy"),
        check("down", "Unhealthy", "down-region"),
        check("inv", "LastKnownStatus", "r", true),
      ]),
      world(() => true, alarm),
      60,
    );
    // Before any data: healthy (a new check); the ALARM is followed 60 s late; after it, the last known (unhealthy).
    expect([100, 520, 600, 1500].map((t) => checks.healthy("last", t))).to.deep.equal([true, true, false, false]);
    expect([100, 1500].map((t) => checks.healthy("bad", t))).to.deep.equal([false, false]);
    expect(checks.healthy("good", 1500)).to.equal(true);
    expect(checks.healthy("down", 700)).to.equal(false);
    expect([100, 600].map((t) => checks.healthy("inv", t))).to.deep.equal([false, true]);
  });

  it("refuses a routing it cannot evaluate: a record or a calculated check naming an unknown check, a cycle", function () {
    expect(
      () =>
        new HealthChecks(
          routing([endpoint()], "missing"),
          world(() => true),
          60,
        ),
    ).to.throw(RoutingError, /names health check missing/);
    expect(
      () =>
        new HealthChecks(
          routing([{ id: "c", type: "CALCULATED", children: ["x"], threshold: 1, inverted: false }]),
          world(() => true),
          60,
        ),
    ).to.throw(RoutingError, /names child x/);
    expect(
      () =>
        new HealthChecks(
          routing([
            { id: "c", type: "CALCULATED", children: ["d"], threshold: 1, inverted: false },
            { id: "d", type: "CALCULATED", children: ["c"], threshold: 1, inverted: false },
          ]),
          world(() => true),
          60,
        ),
    ).to.throw(RoutingError, /cycle/);
  });
});

describe("the outage, as it happens (cloud.ts)", function () {
  const targets = recoveryTargetsFixture();
  const arns = { failover: "arn:failover", failback: "arn:failback", drill: "arn:drill" };
  const upsert = sdkTask("route53", "changeResourceRecordSets", { HostedZoneId: targets.dns.hostedZoneId, ChangeBatch: { Changes: [] } }, { Next: "x" });

  /** One call through the simulated cloud, its clock driven; the error it ends with, if any. */
  const call = (cloud: SimulatedCloud, timeout: number) =>
    cloud.clock.drive(
      () =>
        cloud.invoke("Upsert", String(upsert.Resource), upsert.Parameters, timeout).then(
          () => undefined,
          (caught: Error) => caught,
        ),
      100000,
    );

  it("with us-east-1 (the primary) down, Route 53's control plane does not answer: the Task times out after its TimeoutSeconds; or is refused as unavailable", async function () {
    const clock = new VirtualClock();
    const cloud = new SimulatedCloud(targets, DEFAULT_DURATIONS, clock, arns, { primaryOutage: { from: 0 } });
    clock.advanceTo(10);
    const error = await call(cloud, upsert.TimeoutSeconds as number);
    expect(error?.name).to.equal("States.Timeout");
    expect(error?.message).to.match(/Route 53's control plane \(us-east-1\) does not answer/);
    expect(clock.seconds).to.equal(10 + (upsert.TimeoutSeconds as number));

    const refused = new SimulatedCloud(targets, DEFAULT_DURATIONS, new VirtualClock(), arns, { primaryOutage: { from: 0, apis: "unavailable" } });
    refused.clock.advanceTo(10);
    const unavailable = await call(refused, 60);
    expect(unavailable?.name).to.equal("Route53.Route53Exception");
    expect(refused.calls[0]).to.include({ api: "route53:changeResourceRecordSets", ok: false });
  });

  it("the same failure of another primary region leaves Route 53's control plane up; a returned us-east-1 answers again", async function () {
    const swapped = { ...targets, primaryRegion: "us-west-2", drRegion: "us-east-1" };
    const cloud = new SimulatedCloud(swapped, DEFAULT_DURATIONS, new VirtualClock(), arns, { primaryOutage: { from: 0 } });
    cloud.clock.advanceTo(10);
    // An empty batch: Route 53 answers (InvalidInput), it does not time out.
    const error = await call(cloud, 60);
    expect(error?.name).to.equal("Route53.InvalidInputException");

    const back = new SimulatedCloud(targets, DEFAULT_DURATIONS, new VirtualClock(), arns, { primaryOutage: { from: 0, until: 100 } });
    back.clock.advanceTo(200);
    const later = await call(back, 60);
    expect(later?.name).to.equal("Route53.InvalidInputException");
  });

  it("the us-east-1 scenarios refuse a pair whose primary is another region", function () {
    expect(() => usEast1Lost({ durations: DEFAULT_DURATIONS, targets: { ...targets, primaryRegion: "eu-west-1" } })).to.throw(/primary is eu-west-1/);
  });

  it("a flapping /health needs up and down phases above 0", function () {
    const cloud = new SimulatedCloud(targets, DEFAULT_DURATIONS, new VirtualClock(), arns, {});
    expect(() => cloud.flapPrimaryEndpoint({ until: 100, upSeconds: 0, downSeconds: 10 })).to.throw(/above 0/);
  });

  it("with the SECONDARY as first synthesized (no check, evaluating the DR ALB's target health), an empty DR region sends users back to the old primary", async function () {
    const base = systemFromTargets(targets, { prefix: PREFIX });
    const earlier = defaultRouting(
      targets,
      { intervalSeconds: DEFAULT_DURATIONS.route53HealthCheckIntervalSeconds, failureThreshold: DEFAULT_DURATIONS.route53FailureThreshold },
      "secondary-by-target-health",
    );
    const result = await runScenario({ ...base, facts: { routing: earlier } }, scenarioNamed("primary-returns-dr-empty"));
    expect(result.passed).to.equal(false);
    // Both records unhealthy: Route 53 answers the PRIMARY (ResourceRecordSet Failover), in front of the diverged database.
    expect(result.final).to.include({ dnsAnswer: "primary" });
    expect(result.final!.oldPrimaryWriteSeconds).to.be.greaterThan(0);
    // The fenced SECONDARY (the default) keeps the DR answer.
    const fenced = await runScenario(base, scenarioNamed("primary-returns-dr-empty"));
    expect(fenced.final).to.include({ dnsAnswer: "dr", oldPrimaryWriteSeconds: 0 });
  });
});

describe("routingFromPlan: the failover records and health checks as synthesized", function () {
  const targets = recoveryTargetsFixture();
  const resource = (type: string, name: string, id: string, inputs: Record<string, unknown>) => ({ type, name, id, inputs, outputs: {} });
  const record = (role: string, inputs: Record<string, unknown>) =>
    resource("aws:route53/record:Record", `failover-${role.toLowerCase()}`, targets.dns.applicationName, {
      zoneId: targets.dns.hostedZoneId,
      name: targets.dns.applicationName,
      type: "A",
      setIdentifier: `${role.toLowerCase()}-x`,
      failoverRoutingPolicies: [{ type: role }],
      ...inputs,
    });
  const check = (id: string, inputs: Record<string, unknown>) => resource("aws:route53/healthCheck:HealthCheck", `check-${id}`, id, inputs);
  const plan = (resources: PlanLike["resources"]): PlanLike => ({ stack: "dr", outputs: {}, resources });
  const alias = (lb: { dnsName: string; zoneId: string }, evaluateTargetHealth: boolean) => [{ name: lb.dnsName, zoneId: lb.zoneId, evaluateTargetHealth }];

  it("reads the fenced shape: PRIMARY on (endpoint AND fence), SECONDARY on (DR endpoint OR NOT fence), neither evaluating target health", function () {
    const read = routingFromPlan(
      plan([
        check("pe", { type: "HTTP", fqdn: targets.primaryLoadBalancer.dnsName, requestInterval: 10, failureThreshold: 3 }),
        check("de", { type: "HTTPS", fqdn: targets.drLoadBalancer.dnsName }),
        check("f", {
          type: "CLOUDWATCH_METRIC",
          cloudwatchAlarmName: targets.fence.alarmName,
          cloudwatchAlarmRegion: targets.drRegion,
          insufficientDataHealthStatus: "LastKnownStatus",
        }),
        check("nf", {
          type: "CLOUDWATCH_METRIC",
          cloudwatchAlarmName: targets.fence.alarmName,
          cloudwatchAlarmRegion: targets.drRegion,
          invertHealthcheck: true,
        }),
        check("p", { type: "CALCULATED", childHealthchecks: ["pe", "f"], childHealthThreshold: 2 }),
        check("s", { type: "CALCULATED", childHealthchecks: ["de", "nf"], childHealthThreshold: 1 }),
        record("PRIMARY", { aliases: alias(targets.primaryLoadBalancer, false), healthCheckId: "p" }),
        record("SECONDARY", { aliases: alias(targets.drLoadBalancer, false), healthCheckId: "s" }),
      ]),
      targets,
    )!;
    expect(read.records.map((item) => [item.role, item.healthCheckId, item.alias.evaluateTargetHealth])).to.deep.equal([
      ["PRIMARY", "p", false],
      ["SECONDARY", "s", false],
    ]);
    expect(read.healthChecks.find((item) => item.id === "de")).to.include({ type: "HTTPS", intervalSeconds: 30, failureThreshold: 3 });
    expect(read.healthChecks.find((item) => item.id === "nf")).to.include({ inverted: true, insufficientData: "LastKnownStatus" });
  });

  it("says what it cannot model: an unknown check id, an endpoint by IP, a calculated check without threshold, a failover record without alias", function () {
    const primary = (healthCheckId: string) => record("PRIMARY", { aliases: alias(targets.primaryLoadBalancer, false), healthCheckId });
    expect(() => routingFromPlan(plan([primary("nope")]), targets)).to.throw(PlanError, /names health check nope/);
    expect(() => routingFromPlan(plan([check("ip", { type: "HTTP", ipAddress: "192.0.2.1" }), primary("ip")]), targets)).to.throw(PlanError, /by IP address/);
    expect(() => routingFromPlan(plan([check("c", { type: "CALCULATED", childHealthchecks: [] }), primary("c")]), targets)).to.throw(
      PlanError,
      /childHealthThreshold/,
    );
    expect(() => routingFromPlan(plan([record("PRIMARY", {})]), targets)).to.throw(PlanError, /without an alias/);
    expect(routingFromPlan(plan([]), targets)).to.equal(undefined);
  });
});
