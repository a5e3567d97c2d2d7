/**
 * The primary endpoint probe: the function (recovery/lambda/primaryEndpointProbe.mjs) against local
 * HTTP and HTTPS servers, no network (what one attempt judges healthy, where it connects, what it names,
 * its time limits, its datapoints); the component (components/primaryEndpointProbe.ts) under Pulumi
 * mocks (everything in the DR region, outside any VPC, the alarm that starts the failover, the errors
 * alarm, argument checks); and its role in the IAM simulator (its namespace only, never the fence's).
 */
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ROUTE53_HTTP_CHECK } from "../components/failoverRouting";
import { type PolicyDocument } from "../components/policyDocuments";
import {
  PrimaryEndpointProbe,
  type PrimaryEndpointProbeArgs,
  PROBE_ALARM_PERIOD_SECONDS,
  PROBE_ATTEMPT_OFFSETS_SECONDS,
  PROBE_ENVIRONMENT_NAMES,
  PROBE_EVALUATION_PERIODS,
  PROBE_FUNCTION_SOURCE,
  PROBE_FUNCTION_TIMEOUT_SECONDS,
  PROBE_METRIC,
  PROBE_SCHEDULE,
  PROBE_SCHEDULE_PERIOD_SECONDS,
  largestAttemptGapSeconds,
  probeEnvironment,
  probeEvaluationPeriods,
  probeFunctionPolicy,
} from "../components/primaryEndpointProbe";
import { FENCE_METRIC, HEALTH_CHECK_PATH } from "../config/conventions";
import {
  handler,
  hostHeader,
  PROBE_ENVIRONMENT,
  PROBE_STORAGE_RESOLUTION_SECONDS,
  probeConfiguration,
  probeEndpoint,
  type ProbeLimits,
  type ProbeTarget,
  runAttempts,
} from "../recovery/lambda/primaryEndpointProbe.mjs";
import { MOCK_ACCOUNT_ID } from "../synth/mockCloud";
import { recordStack, type StackPlan } from "../synth/recordStack";
import { regionOf, rejection } from "./recovery/sdkCalls";
import { named } from "./fixtures/plannedResources";

const APP = "app.dr.example.com";
const TLS_DIRECTORY = path.join(__dirname, "fixtures", "probeTls");
const tls = (file: string) => readFileSync(path.join(TLS_DIRECTORY, file));
/** The private CA that signed the fixtures' server certificates (test/fixtures/probeTls). */
const CA = tls("ca.pem");
/** Short limits for the timing tests, milliseconds; the healthy range is Route 53's. */
const FAST: ProbeLimits = { connectMilliseconds: 300, statusMilliseconds: 200, healthyStatus: { ...ROUTE53_HTTP_CHECK.healthyStatus } };
/** Route 53's own limits, for the tests that do not time out. */
const ROUTE53: ProbeLimits = {
  connectMilliseconds: ROUTE53_HTTP_CHECK.connectSeconds * 1000,
  statusMilliseconds: ROUTE53_HTTP_CHECK.statusWithinSeconds * 1000,
  healthyStatus: { ...ROUTE53_HTTP_CHECK.healthyStatus },
};

// ---------------------------------------------------------------------------------------------
// Local servers
// ---------------------------------------------------------------------------------------------

/** What a local server saw of one request. */
interface Seen {
  method?: string;
  url?: string;
  host?: string;
  connection?: string;
  /** TLS server name (SNI) the client sent; undefined over HTTP. */
  servername?: string | false;
  /** The client's source port: a new one per attempt means a new connection. */
  remotePort?: number;
}

interface LocalServer {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Respond = (request: http.IncomingMessage, response: http.ServerResponse, index: number) => void;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function closing(server: net.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      (server as http.Server).closeAllConnections?.();
    });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

/** An HTTP (or, with `certificate`, HTTPS) server on 127.0.0.1 answering with `respond`. */
async function localServer(respond: Respond, certificate?: string): Promise<LocalServer> {
  const seen: Seen[] = [];
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const socket = request.socket as net.Socket & { servername?: string | false };
    seen.push({
      method: request.method,
      url: request.url,
      host: request.headers.host,
      connection: request.headers.connection,
      servername: socket.servername,
      remotePort: socket.remotePort,
    });
    respond(request, response, seen.length - 1);
  };
  const server = certificate
    ? https.createServer({ cert: tls(`${certificate}.pem`), key: tls(`${certificate}.key.pem`) }, onRequest)
    : http.createServer(onRequest);
  const port = await listen(server);
  const local = { port, seen, close: closing(server) };
  servers.push(local);
  return local;
}

/** A TCP server that accepts connections and never says anything (no HTTP status, no TLS handshake). */
async function silentServer(): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => void sockets.push(socket));
  const port = await listen(server);
  servers.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      return closing(server)();
    },
  });
  return port;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closing(server)();
  return port;
}

const status =
  (code: number): Respond =>
  (_request, response) =>
    void response.writeHead(code, { "content-type": "text/plain" }).end("ok");
const target = (port: number, overrides: Partial<ProbeTarget> = {}): ProbeTarget => ({
  applicationName: APP,
  host: "127.0.0.1",
  protocol: "HTTP",
  port,
  path: HEALTH_CHECK_PATH,
  ...overrides,
});

// ---------------------------------------------------------------------------------------------
// The function
// ---------------------------------------------------------------------------------------------

describe("primary endpoint probe: one attempt, against a local server", () => {
  it("is healthy on a 200 from the health path, asking for the application by name over a connection of its own", async () => {
    const server = await localServer(status(200));
    const first = await probeEndpoint(target(server.port), ROUTE53);
    const second = await probeEndpoint(target(server.port), ROUTE53);
    expect(first).to.include({ healthy: true, status: 200, reason: "HTTP 200" });
    expect(first.milliseconds).to.be.a("number").and.below(ROUTE53.statusMilliseconds);
    expect(second.healthy).to.equal(true);
    expect(server.seen[0]).to.include({ method: "GET", url: "/health", host: `${APP}:${server.port}`, connection: "close" });
    // Two attempts, two TCP connections: a kept-alive connection would skip the connection the check times.
    expect(server.seen[1].remotePort).to.not.equal(server.seen[0].remotePort);
  });

  for (const code of [200, 204, 301, 302, 399]) {
    it(`counts HTTP ${code} as healthy (Route 53: 200-399), without following a redirect`, async () => {
      const server = await localServer((_request, response) => void response.writeHead(code, { location: "https://elsewhere.example.com/" }).end());
      expect(await probeEndpoint(target(server.port), ROUTE53)).to.include({ healthy: true, status: code });
      expect(server.seen).to.have.length(1);
    });
  }

  for (const code of [400, 404, 500, 502, 503]) {
    it(`counts HTTP ${code} as unhealthy`, async () => {
      const server = await localServer(status(code));
      const result = await probeEndpoint(target(server.port), ROUTE53);
      expect(result).to.include({ healthy: false, status: code });
      expect(result.reason).to.equal(`HTTP ${code}, outside 200-399`);
    });
  }

  it("counts a status later than the limit after connecting as unhealthy, and gives up then", async () => {
    const server = await localServer((_request, response) => void setTimeout(() => response.writeHead(200).end(), 800));
    const result = await probeEndpoint(target(server.port), FAST);
    expect(result).to.include({ healthy: false, reason: "no HTTP status within 200 ms of connecting" });
    expect(result.status).to.equal(undefined);
    expect(result.milliseconds).to.be.at.least(190).and.below(700);
  });

  it("counts a server that accepts and never answers as unhealthy (status limit)", async () => {
    const port = await silentServer();
    expect(await probeEndpoint(target(port), FAST)).to.include({ healthy: false, reason: "no HTTP status within 200 ms of connecting" });
  });

  it("counts a refused connection as unhealthy at once", async () => {
    const result = await probeEndpoint(target(await closedPort()), ROUTE53);
    expect(result.healthy).to.equal(false);
    expect(result.reason).to.match(/^ECONNREFUSED: /);
    expect(result.milliseconds).to.be.below(1000);
  });

  it("counts no connection within the connect limit as unhealthy (the name look-up counts in it)", async () => {
    const server = await localServer(status(200));
    // A look-up that never answers: the socket never connects.
    const hang = () => undefined;
    const result = await probeEndpoint(target(server.port, { host: "primary-alb.us-east-1.elb.amazonaws.com" }), FAST, { lookup: hang });
    expect(result).to.include({ healthy: false, reason: "no TCP connection within 300 ms" });
    expect(result.milliseconds).to.be.at.least(290).and.below(900);
    expect(server.seen).to.have.length(0);
  });

  it("sends the bare application name as Host on the protocol's default port, name:port on any other", () => {
    expect(hostHeader({ applicationName: APP, protocol: "HTTP", port: 80 })).to.equal(APP);
    expect(hostHeader({ applicationName: APP, protocol: "HTTPS", port: 443 })).to.equal(APP);
    expect(hostHeader({ applicationName: APP, protocol: "HTTPS", port: 8443 })).to.equal(`${APP}:8443`);
    expect(hostHeader({ applicationName: APP, protocol: "HTTP", port: 443 })).to.equal(`${APP}:443`);
  });
});

describe("primary endpoint probe: HTTPS, connecting to the ALB's address but verifying the application's name", () => {
  it("is healthy when the certificate is the application's: SNI and Host name it, the connection goes to the given host", async () => {
    const server = await localServer(status(200), APP);
    const result = await probeEndpoint(target(server.port, { protocol: "HTTPS" }), ROUTE53, { ca: CA });
    expect(result).to.include({ healthy: true, status: 200 });
    expect(server.seen[0]).to.include({ servername: APP, host: `${APP}:${server.port}`, url: "/health" });
  });

  it("is unhealthy when the certificate is for another name (as the ALB's DNS name would be)", async () => {
    const server = await localServer(status(200), "other.example.com");
    const result = await probeEndpoint(target(server.port, { protocol: "HTTPS" }), ROUTE53, { ca: CA });
    expect(result.healthy).to.equal(false);
    expect(result.reason).to.match(/^ERR_TLS_CERT_ALTNAME_INVALID: .*app\.dr\.example\.com/);
    expect(server.seen).to.have.length(0);
  });

  it("is unhealthy when the certificate's issuer is not trusted: verification is on by default", async () => {
    const server = await localServer(status(200), APP);
    const result = await probeEndpoint(target(server.port, { protocol: "HTTPS" }), ROUTE53);
    expect(result.healthy).to.equal(false);
    expect(result.reason).to.match(/^UNABLE_TO_VERIFY_LEAF_SIGNATURE|^SELF_SIGNED_CERT_IN_CHAIN|^UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it("counts the TLS handshake in the status limit: a server that accepts TCP and never handshakes is unhealthy after it", async () => {
    const port = await silentServer();
    const result = await probeEndpoint(target(port, { protocol: "HTTPS" }), FAST, { ca: CA });
    expect(result).to.include({ healthy: false, reason: "no HTTP status within 200 ms of connecting" });
  });

  it("speaks plain HTTP to an HTTP listener: no TLS, no SNI", async () => {
    const server = await localServer(status(200));
    expect(await probeEndpoint(target(server.port), ROUTE53)).to.include({ healthy: true });
    expect(server.seen[0].servername).to.equal(undefined);
  });
});

/** The environment the component writes, pointed at a local server, with quick attempts. */
function localEnvironment(port: number, offsets = "0,0.15,0.3"): Record<string, string> {
  return {
    ...probeEnvironment(APP, { albDnsName: "127.0.0.1", protocol: "HTTP", port, healthPath: HEALTH_CHECK_PATH }, PROBE_METRIC),
    [PROBE_ENVIRONMENT.attemptOffsetsSeconds]: offsets,
  };
}

/** Lines the function logs (console.log), captured instead of printed while a suite runs. */
const logged: string[] = [];
function captureLogs(): void {
  const original = console.log;
  beforeEach(() => {
    logged.length = 0;
    console.log = (...parts: unknown[]) => void logged.push(parts.map(String).join(" "));
  });
  afterEach(() => {
    console.log = original;
  });
}

describe("primary endpoint probe: the attempts of one run", () => {
  captureLogs();

  it("attempts at each offset and publishes each one's result right after it, stamped when it started", async () => {
    const codes = [200, 503, 302];
    const server = await localServer((_request, response, index) => void response.writeHead(codes[index]).end());
    const published: { value: number; timestamp: Date }[] = [];
    const configuration = probeConfiguration(localEnvironment(server.port));
    const { attempts, publishErrors } = await runAttempts(configuration, async (datum) => void published.push(datum));
    expect(publishErrors).to.deep.equal([]);
    expect(published.map((datum) => datum.value)).to.deep.equal([1, 0, 1]);
    expect(attempts.map((attempt) => [attempt.offsetSeconds, attempt.healthy, attempt.status, attempt.published])).to.deep.equal([
      [0, true, 200, true],
      [0.15, false, 503, true],
      [0.3, true, 302, true],
    ]);
    const times = published.map((datum) => datum.timestamp.getTime());
    expect(times[1] - times[0]).to.be.at.least(140);
    expect(times[2] - times[0]).to.be.at.least(290);
    expect(attempts.map((attempt) => attempt.at)).to.deep.equal(published.map((datum) => datum.timestamp.toISOString()));
    // One JSON log line per attempt, for the function's log group.
    expect(logged.map((line) => JSON.parse(line))).to.deep.equal(attempts.map((attempt) => ({ message: "primary endpoint probe", ...attempt })));
  });

  it("keeps attempting and publishing when one datapoint cannot be published, and reports it", async () => {
    const server = await localServer(status(200));
    let calls = 0;
    const { attempts, publishErrors } = await runAttempts(probeConfiguration(localEnvironment(server.port)), async () => {
      calls += 1;
      if (calls === 2) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    });
    expect(calls).to.equal(3);
    expect(attempts.map((attempt) => attempt.published)).to.deep.equal([true, false, true]);
    expect(publishErrors.map((error) => error.name)).to.deep.equal(["ThrottlingException"]);
  });
});

describe("primary endpoint probe: the handler, with a mocked CloudWatch", () => {
  captureLogs();
  let cloudWatch: AwsClientStub<CloudWatchClient>;
  const saved = { ...process.env };
  before(() => {
    cloudWatch = mockClient(CloudWatchClient);
  });
  after(() => cloudWatch.restore());
  afterEach(() => {
    cloudWatch.reset();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it("publishes one high-resolution datapoint per attempt in its own region: the probe's namespace and metric, Application=<name>, 1 or 0", async () => {
    const codes = [200, 500, 200];
    const server = await localServer((_request, response, index) => void response.writeHead(codes[index]).end());
    Object.assign(process.env, localEnvironment(server.port), { AWS_REGION: "us-west-2" });
    cloudWatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    const { attempts } = await handler({ source: "aws.events", "detail-type": "Scheduled Event" });
    expect(attempts.map((attempt) => attempt.healthy)).to.deep.equal([true, false, true]);
    const calls = cloudWatch.commandCalls(PutMetricDataCommand);
    expect(calls).to.have.length(3);
    expect(PROBE_STORAGE_RESOLUTION_SECONDS).to.equal(1);
    for (const [index, call] of calls.entries()) {
      expect(await regionOf(call)).to.equal("us-west-2");
      const input = call.args[0].input;
      expect(input.Namespace).to.equal(PROBE_METRIC.namespace);
      expect(input.MetricData).to.have.length(1);
      const datum = input.MetricData?.[0];
      expect(datum).to.deep.include({
        MetricName: PROBE_METRIC.metricName,
        Dimensions: [{ Name: "Application", Value: APP }],
        Value: [1, 0, 1][index],
        Unit: "None",
        // High resolution: the alarm's 30 s period reads only datapoints stored with StorageResolution 1.
        StorageResolution: 1,
      });
      expect((datum?.Timestamp as Date).toISOString()).to.equal(attempts[index].at);
    }
  });

  it("fails with PublishFailed after every attempt when CloudWatch refuses the datapoints (AWS/Lambda Errors sees it)", async () => {
    const server = await localServer(status(200));
    Object.assign(process.env, localEnvironment(server.port), { AWS_REGION: "us-west-2" });
    cloudWatch.on(PutMetricDataCommand).rejects(Object.assign(new Error("not authorized to perform: cloudwatch:PutMetricData"), { name: "AccessDenied" }));
    const error = await rejection(handler({}));
    expect(error.name).to.equal("PublishFailed");
    expect(error.message).to.equal(
      `3 of 3 datapoints of ${PROBE_METRIC.namespace}/${PROBE_METRIC.metricName} not published: AccessDenied: not authorized to perform: cloudwatch:PutMetricData`,
    );
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).to.have.length(3);
    expect(server.seen).to.have.length(3);
  });

  it("fails with MisconfiguredFunction before probing when its environment is incomplete", async () => {
    const server = await localServer(status(200));
    const environment = localEnvironment(server.port);
    delete environment[PROBE_ENVIRONMENT.albDnsName];
    for (const key of Object.values(PROBE_ENVIRONMENT)) delete process.env[key];
    Object.assign(process.env, environment, { AWS_REGION: "us-west-2" });
    const error = await rejection(handler({}));
    expect(error.name).to.equal("MisconfiguredFunction");
    expect(error.message).to.equal("environment variable PRIMARY_ALB_DNS_NAME is not set");
    expect(server.seen).to.have.length(0);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).to.have.length(0);
  });
});

describe("primary endpoint probe: its configuration", () => {
  const valid = () => localEnvironment(443, "0,10,20,30,40");

  it("reads the environment the component writes: Route 53's limits in milliseconds, the offsets, the metric", () => {
    const configuration = probeConfiguration({ ...valid(), [PROBE_ENVIRONMENT.protocol]: "HTTPS" });
    expect(configuration).to.deep.equal({
      target: { applicationName: APP, host: "127.0.0.1", protocol: "HTTPS", port: 443, path: "/health" },
      limits: { connectMilliseconds: 4000, statusMilliseconds: 2000, healthyStatus: { min: 200, max: 399 } },
      attemptOffsetsSeconds: [0, 10, 20, 30, 40],
      metric: { namespace: PROBE_METRIC.namespace, metricName: PROBE_METRIC.metricName },
    });
  });

  const bad: [string, Record<string, string | undefined>, RegExp][] = [
    ["a missing application name", { [PROBE_ENVIRONMENT.applicationName]: undefined }, /^environment variable APPLICATION_NAME is not set$/],
    ["an empty metric name", { [PROBE_ENVIRONMENT.metricName]: " " }, /^environment variable METRIC_NAME is not set$/],
    ["protocol TCP", { [PROBE_ENVIRONMENT.protocol]: "TCP" }, /^PRIMARY_PROTOCOL must be HTTP or HTTPS, got "TCP"$/],
    ["port 0", { [PROBE_ENVIRONMENT.port]: "0" }, /^PRIMARY_PORT must be a whole number from 1 to 65535, got "0"$/],
    ["port 44.3", { [PROBE_ENVIRONMENT.port]: "44.3" }, /^PRIMARY_PORT must be a whole number/],
    ["a path without /", { [PROBE_ENVIRONMENT.healthPath]: "health" }, /^HEALTH_PATH must start with "\/", got "health"$/],
    ["descending offsets", { [PROBE_ENVIRONMENT.attemptOffsetsSeconds]: "0,40,20" }, /^ATTEMPT_OFFSETS_SECONDS must be ascending seconds from 0 to under 60/],
    ["an offset of 60 s", { [PROBE_ENVIRONMENT.attemptOffsetsSeconds]: "0,30,60" }, /^ATTEMPT_OFFSETS_SECONDS must be ascending/],
    ["a non-numeric offset", { [PROBE_ENVIRONMENT.attemptOffsetsSeconds]: "0,soon" }, /^ATTEMPT_OFFSETS_SECONDS must be ascending/],
    ["a zero connect limit", { [PROBE_ENVIRONMENT.connectSeconds]: "0" }, /^CONNECT_TIMEOUT_SECONDS must be a number from 0.001 to 60, got "0"$/],
    ["an inverted healthy range", { [PROBE_ENVIRONMENT.healthyStatusMin]: "400" }, /^HEALTHY_STATUS_MIN \(400\) is above HEALTHY_STATUS_MAX \(399\)$/],
  ];
  for (const [label, change, message] of bad) {
    it(`refuses ${label} (MisconfiguredFunction)`, () => {
      const environment: Record<string, string | undefined> = { ...valid(), ...change };
      let thrown: unknown;
      try {
        probeConfiguration(environment);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(Error);
      expect((thrown as Error).name).to.equal("MisconfiguredFunction");
      expect((thrown as Error).message).to.match(message);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The component
// ---------------------------------------------------------------------------------------------

const DR_REGION = "us-west-2";
const TOPIC = `arn:aws:sns:${DR_REGION}:${MOCK_ACCOUNT_ID}:dr-recovery`;
const KEY = `arn:aws:kms:${DR_REGION}:${MOCK_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALB = "primary-alb-1234567890.us-east-1.elb.amazonaws.com";

const probeArgs = (overrides: Partial<PrimaryEndpointProbeArgs> = {}): PrimaryEndpointProbeArgs => ({
  applicationName: APP,
  primary: { albDnsName: ALB, protocol: "HTTPS", port: 443, healthPath: HEALTH_CHECK_PATH },
  evaluationPeriods: 2,
  topicArn: TOPIC,
  kmsKeyArn: KEY,
  logRetentionDays: 30,
  functionName: "multi-region-dr-dr-dr-primary-probe",
  ...overrides,
});

/** Builds the probe in the DR region under mocks; returns the plan with its outputs. */
function planProbe(args: PrimaryEndpointProbeArgs): Promise<StackPlan> {
  return recordStack({
    project: "components",
    stack: "test",
    role: "dr",
    region: DR_REGION,
    program: () => {
      const provider = new aws.Provider("provider", { region: DR_REGION });
      const options: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
      const probe = new PrimaryEndpointProbe("probe", args, options);
      return {
        alarmArn: probe.alarmArn,
        alarmName: probe.alarmName,
        functionName: probe.functionName,
        functionArn: probe.functionArn,
        errorsAlarmName: probe.errorsAlarmName,
      };
    },
  });
}

async function buildFailure(args: PrimaryEndpointProbeArgs): Promise<Error> {
  return rejection(planProbe(args));
}

describe("PrimaryEndpointProbe, synthesized", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planProbe(probeArgs());
  });

  it("lives entirely in the DR region, through the component's provider", () => {
    const custom = plan.resources.filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:"));
    expect(custom.length).to.be.greaterThan(8);
    for (const resource of custom) expect(resource.region, `${resource.type} ${resource.name}`).to.be.oneOf([DR_REGION, "global"]);
    expect(custom.filter((resource) => resource.region === "global").map((resource) => resource.type)).to.deep.equal([
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
    ]);
  });

  it("runs the function as is on nodejs22.x, outside any VPC, 128 MB, its last attempt ending before the timeout and the next minute's run", () => {
    const fn = named(plan, "probe-function");
    expect(fn.inputs).to.include({
      name: "multi-region-dr-dr-dr-primary-probe",
      runtime: "nodejs22.x",
      handler: "primaryEndpointProbe.handler",
      memorySize: 128,
      timeout: PROBE_FUNCTION_TIMEOUT_SECONDS,
    });
    expect(fn.inputs.vpcConfig, "no VPC: the function reaches the primary ALB's public address").to.equal(undefined);
    expect(fn.inputs.tracingConfig).to.deep.equal({ mode: "PassThrough" });
    expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: named(plan, "probe-logs").outputs.name });
    expect(fn.inputs.role).to.equal(named(plan, "probe-role").outputs.arn);
    // The last attempt, its limits and a publish fit in the timeout, under the minute.
    const last = PROBE_ATTEMPT_OFFSETS_SECONDS[PROBE_ATTEMPT_OFFSETS_SECONDS.length - 1];
    expect(last + ROUTE53_HTTP_CHECK.connectSeconds + ROUTE53_HTTP_CHECK.statusWithinSeconds + 5).to.be.at.most(PROBE_FUNCTION_TIMEOUT_SECONDS);
    expect(PROBE_FUNCTION_TIMEOUT_SECONDS).to.be.below(60);
  });

  it("packages the module itself, importing only Node's standard library and the runtime's AWS SDK", () => {
    const source = readFileSync(PROBE_FUNCTION_SOURCE, "utf8");
    const imports = [...source.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports.length).to.be.greaterThan(0);
    for (const specifier of imports) expect(specifier, specifier).to.match(/^node:|^@aws-sdk\/client-cloudwatch$/);
  });

  it("tells the function where to connect, what name to ask for and how to judge it: Route 53's checker", () => {
    const environment = (named(plan, "probe-function").inputs.environment as { variables: Record<string, string> }).variables;
    expect(environment).to.deep.equal({
      APPLICATION_NAME: APP,
      PRIMARY_ALB_DNS_NAME: ALB,
      PRIMARY_PROTOCOL: "HTTPS",
      PRIMARY_PORT: "443",
      HEALTH_PATH: "/health",
      METRIC_NAMESPACE: PROBE_METRIC.namespace,
      METRIC_NAME: "PrimaryEndpointHealthy",
      ATTEMPT_OFFSETS_SECONDS: "0,10,20,30,40",
      CONNECT_TIMEOUT_SECONDS: String(ROUTE53_HTTP_CHECK.connectSeconds),
      STATUS_TIMEOUT_SECONDS: String(ROUTE53_HTTP_CHECK.statusWithinSeconds),
      HEALTHY_STATUS_MIN: "200",
      HEALTHY_STATUS_MAX: "399",
    });
    // The function reads exactly these names.
    expect(PROBE_ENVIRONMENT_NAMES).to.deep.equal({ ...PROBE_ENVIRONMENT });
    expect(probeConfiguration(environment).limits).to.deep.equal(ROUTE53);
  });

  it("logs to its own KMS-encrypted group with the given retention", () => {
    expect(named(plan, "probe-logs").inputs).to.deep.include({ name: "/aws/lambda/multi-region-dr-dr-dr-primary-probe", kmsKeyId: KEY, retentionInDays: 30 });
  });

  it("has a role of its own: PutMetricData in its namespace and its log streams, nothing else", () => {
    const role = named(plan, "probe-role");
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement).to.deep.equal([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const policy = named(plan, "probe-policy");
    expect(policy.inputs.role).to.equal(role.id);
    const logGroupArn = String(named(plan, "probe-logs").outputs.arn);
    expect(JSON.parse(String(policy.inputs.policy))).to.deep.equal(probeFunctionPolicy(PROBE_METRIC.namespace, logGroupArn, false));
    expect(plan.resources.filter((resource) => resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
  });

  it("runs every minute from an EventBridge schedule, which alone may invoke it; no asynchronous retries", () => {
    const schedule = named(plan, "probe-schedule");
    expect(schedule.inputs).to.include({ scheduleExpression: PROBE_SCHEDULE, name: "multi-region-dr-dr-dr-primary-probe-schedule" });
    expect(PROBE_SCHEDULE).to.equal("rate(1 minute)");
    const fn = named(plan, "probe-function");
    expect(named(plan, "probe-target").inputs).to.include({ rule: schedule.outputs.name, arn: fn.outputs.arn });
    expect(named(plan, "probe-invoke").inputs).to.include({
      action: "lambda:InvokeFunction",
      function: fn.outputs.name,
      principal: "events.amazonaws.com",
      sourceArn: schedule.outputs.arn,
    });
    expect(named(plan, "probe-no-retries").inputs).to.include({ functionName: fn.outputs.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
  });

  it("alarms when every attempt of the decision window (N x 30 s, high resolution) failed, never on missing data, notifying the topic", () => {
    const alarm = named(plan, "probe-alarm");
    expect(alarm.region).to.equal(DR_REGION);
    expect(alarm.inputs).to.deep.include({
      name: "multi-region-dr-dr-dr-primary-probe-unhealthy",
      namespace: PROBE_METRIC.namespace,
      metricName: "PrimaryEndpointHealthy",
      dimensions: { Application: APP },
      statistic: "Maximum",
      period: 30,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "notBreaching",
      actionsEnabled: true,
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    expect(PROBE_ALARM_PERIOD_SECONDS).to.equal(30);
    expect(String(alarm.inputs.alarmDescription)).to.match(
      /^Every probe of the primary \(app\.dr\.example\.com\) from the DR region failed for 2 x 30 s: no TCP connection within 4 s or no 200-399 status within 2 s;/,
    );
  });

  it("reads a 30 s period only because the function stores its datapoints at high resolution (PutMetricAlarm Period: 10, 20, 30 need StorageResolution 1)", () => {
    const period = Number(named(plan, "probe-alarm").inputs.period);
    expect(period).to.be.oneOf([10, 20, 30]);
    expect(PROBE_STORAGE_RESOLUTION_SECONDS).to.equal(1);
    // The function's own description says how often it probes.
    expect(String(named(plan, "probe-function").inputs.description)).to.include("every 10 s");
  });

  for (const evaluationPeriods of [PROBE_EVALUATION_PERIODS.min, 3, PROBE_EVALUATION_PERIODS.max]) {
    it(`alarms after ${evaluationPeriods} x 30 s of failed periods, every one of them breaching (evaluationPeriods = datapointsToAlarm = ${evaluationPeriods})`, async () => {
      const other = await planProbe(probeArgs({ evaluationPeriods }));
      expect(named(other, "probe-alarm").inputs).to.deep.include({ period: 30, evaluationPeriods, datapointsToAlarm: evaluationPeriods });
      expect(String(named(other, "probe-alarm").inputs.alarmDescription)).to.include(`failed for ${evaluationPeriods} x 30 s:`);
    });
  }

  it("alarms on the function's errors, so a failing probe is seen", () => {
    const errors = named(plan, "probe-errors");
    expect(errors.inputs).to.deep.include({
      name: "multi-region-dr-dr-dr-primary-probe-errors",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: named(plan, "probe-function").outputs.name },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
  });

  it("exports the alarm (the failover's trigger), the function and the errors alarm", () => {
    const alarm = named(plan, "probe-alarm");
    const fn = named(plan, "probe-function");
    expect(plan.outputs).to.deep.equal({
      alarmArn: alarm.outputs.arn,
      alarmName: "multi-region-dr-dr-dr-primary-probe-unhealthy",
      functionName: "multi-region-dr-dr-dr-primary-probe",
      functionArn: `arn:aws:lambda:${DR_REGION}:${MOCK_ACCOUNT_ID}:function:multi-region-dr-dr-dr-primary-probe`,
      errorsAlarmName: "multi-region-dr-dr-dr-primary-probe-errors",
    });
    expect(fn.outputs.arn).to.equal(plan.outputs.functionArn);
  });

  it("takes alarm names, X-Ray tracing and another metric when given; an HTTP listener on another port", async () => {
    const other = await planProbe(
      probeArgs({
        alarmName: "custom-unhealthy",
        errorsAlarmName: "custom-errors",
        tracing: true,
        metric: { namespace: "Custom/Probe", metricName: "Up" },
        primary: { albDnsName: ALB, protocol: "HTTP", port: 8080, healthPath: "/ready" },
        evaluationPeriods: 10,
      }),
    );
    expect(named(other, "probe-function").inputs.tracingConfig).to.deep.equal({ mode: "Active" });
    const policy = JSON.parse(String(named(other, "probe-policy").inputs.policy)) as PolicyDocument;
    expect(policy).to.deep.equal(probeFunctionPolicy("Custom/Probe", String(named(other, "probe-logs").outputs.arn), true));
    expect(named(other, "probe-alarm").inputs).to.deep.include({
      name: "custom-unhealthy",
      namespace: "Custom/Probe",
      metricName: "Up",
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
    });
    expect(named(other, "probe-errors").inputs.name).to.equal("custom-errors");
    const environment = (named(other, "probe-function").inputs.environment as { variables: Record<string, string> }).variables;
    expect(environment).to.include({
      PRIMARY_PROTOCOL: "HTTP",
      PRIMARY_PORT: "8080",
      HEALTH_PATH: "/ready",
      METRIC_NAMESPACE: "Custom/Probe",
      METRIC_NAME: "Up",
    });
  });

  for (const evaluationPeriods of [0, 11, 2.5, Number.NaN, -1]) {
    it(`refuses evaluationPeriods ${evaluationPeriods} with a RangeError naming it`, async () => {
      const error = await buildFailure(probeArgs({ evaluationPeriods }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include(
        `PrimaryEndpointProbe probe: evaluationPeriods must be a whole number of 30 s periods from 1 to 10, got ${evaluationPeriods}`,
      );
    });
  }

  for (const functionName of ["", "x".repeat(65), "probe.primary", "probe primary", "probé"]) {
    it(`refuses the function name ${JSON.stringify(functionName.length > 20 ? `${functionName.slice(0, 8)}... (${functionName.length})` : functionName)} (Lambda's naming rule)`, async () => {
      const error = await buildFailure(probeArgs({ functionName }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include(`functionName must be 1 to 64 letters, digits, hyphens or underscores (Lambda's rule), got "${functionName}"`);
    });
  }

  it("accepts a 64-character function name with underscores and keeps its schedule's name within EventBridge's 64", async () => {
    const functionName = `a_${"b".repeat(62)}`;
    const long = await planProbe(probeArgs({ functionName }));
    expect(named(long, "probe-function").inputs.name).to.equal(functionName);
    expect(String(named(long, "probe-schedule").inputs.name)).to.have.length(64);
  });

  const badArguments: [string, Partial<PrimaryEndpointProbeArgs>, string][] = [
    [
      "port 0",
      { primary: { albDnsName: ALB, protocol: "HTTPS", port: 0, healthPath: "/health" } },
      "primary.port must be a whole number from 1 to 65535, got 0",
    ],
    [
      "a path without /",
      { primary: { albDnsName: ALB, protocol: "HTTPS", port: 443, healthPath: "health" } },
      'primary.healthPath must start with "/", got "health"',
    ],
    [
      "protocol TCP",
      { primary: { albDnsName: ALB, protocol: "TCP" as "HTTP", port: 443, healthPath: "/health" } },
      'primary.protocol must be HTTP or HTTPS, got "TCP"',
    ],
    [
      "an application name with a scheme",
      { applicationName: "https://app.dr.example.com" },
      'applicationName must be a DNS name (letters, digits, dots, hyphens), got "https://app.dr.example.com"',
    ],
    ["a retention of 0 days", { logRetentionDays: 0 }, "logRetentionDays must be a positive whole number of days, got 0"],
    ["one name for both alarms", { alarmName: "same", errorsAlarmName: "same" }, 'alarmName and errorsAlarmName are both "same"; they name two alarms'],
    ["an alarm name over 255 characters", { alarmName: "a".repeat(256) }, "alarmName must be 1 to 255 characters, got 256"],
    [
      "an AWS/ namespace",
      { metric: { namespace: "AWS/Route53", metricName: "HealthCheckStatus" } },
      'metric.namespace must be a custom namespace, not empty or under AWS/, got "AWS/Route53"',
    ],
  ];
  for (const [label, overrides, message] of badArguments) {
    it(`refuses ${label}, naming the argument`, async () => {
      const error = await buildFailure(probeArgs(overrides));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.include(message);
    });
  }

  it("reports every bad argument at once", async () => {
    const error = await buildFailure(probeArgs({ evaluationPeriods: 0, functionName: "a.b", logRetentionDays: -1 }));
    expect(error.message).to.match(/evaluationPeriods .*; functionName .*; logRetentionDays /);
  });
});

describe("PrimaryEndpointProbe: the metric and the decision window", () => {
  it("publishes in a namespace of its own under MultiRegionDR, never the fence's: its role cannot touch the fence", () => {
    expect(PROBE_METRIC).to.deep.equal({ namespace: "MultiRegionDR/PrimaryProbe", metricName: "PrimaryEndpointHealthy" });
    expect(PROBE_METRIC.namespace.startsWith(`${FENCE_METRIC.namespace}/`)).to.equal(true);
    expect(PROBE_METRIC.namespace).to.not.equal(FENCE_METRIC.namespace);
  });

  // ceil(interval x threshold / 30), within 1-10: the probe decides no sooner than Route 53 would.
  const windows: [number, number, number][] = [
    [10, 3, 1],
    [10, 1, 1],
    [30, 3, 3],
    [30, 10, 10],
    [10, 10, 4],
    [30, 1, 1],
    [30, 4, 4],
    [10, 4, 2],
  ];
  for (const [interval, threshold, periods] of windows) {
    it(`derives ${periods} x 30 s period(s) from a ${interval} s x ${threshold} health check`, () => {
      expect(probeEvaluationPeriods(interval, threshold)).to.equal(periods);
      expect(periods * PROBE_ALARM_PERIOD_SECONDS).to.be.at.least(interval * threshold);
    });
  }

  it("never derives more than 10 periods (5 minutes), however long the health check's detection", () => {
    expect(probeEvaluationPeriods(30, 11)).to.equal(10);
    expect(probeEvaluationPeriods(60, 10)).to.equal(10);
  });

  it("attempts every 10 s: its largest gap, the wrap to the next run included, is 20 s, under the alarm's 30 s period", () => {
    expect([...PROBE_ATTEMPT_OFFSETS_SECONDS]).to.deep.equal([0, 10, 20, 30, 40]);
    expect(PROBE_SCHEDULE_PERIOD_SECONDS).to.equal(60);
    const gap = largestAttemptGapSeconds(PROBE_ATTEMPT_OFFSETS_SECONDS);
    expect(gap).to.equal(20);
    expect(gap).to.be.below(PROBE_ALARM_PERIOD_SECONDS);
  });

  /** The fewest and most attempts any 30 s window [start, start + 30) holds, over runs of `offsets` every 60 s. */
  const attemptsPerPeriod = (offsets: readonly number[]): { fewest: number; most: number } => {
    const runs = [0, 1, 2].map((run) => run * PROBE_SCHEDULE_PERIOD_SECONDS);
    const times = runs.flatMap((run) => offsets.map((offset) => run + offset));
    const counts: number[] = [];
    for (let start = 0; start < PROBE_SCHEDULE_PERIOD_SECONDS; start += 0.5) {
      counts.push(times.filter((time) => time >= start && time < start + PROBE_ALARM_PERIOD_SECONDS).length);
    }
    return { fewest: Math.min(...counts), most: Math.max(...counts) };
  };

  it("leaves no 30 s period without an attempt, and none with fewer than two, over the wrap between runs", () => {
    expect(attemptsPerPeriod(PROBE_ATTEMPT_OFFSETS_SECONDS)).to.deep.equal({ fewest: 2, most: 3 });
    // Three attempts 20 s apart would also cover every period, but some with one attempt only: one lost datapoint empties it.
    expect(attemptsPerPeriod([0, 20, 40])).to.deep.equal({ fewest: 1, most: 2 });
  });

  it("measures the largest gap between attempts, including the wrap from a run's last attempt to the next run's first", () => {
    expect(largestAttemptGapSeconds([0, 20, 40])).to.equal(20);
    expect(largestAttemptGapSeconds([0])).to.equal(60);
    expect(largestAttemptGapSeconds([0, 10])).to.equal(50);
    expect(largestAttemptGapSeconds([5, 15, 25, 35, 45, 55])).to.equal(10);
    expect(largestAttemptGapSeconds([0, 40], 120)).to.equal(80);
  });

  for (const offsets of [[], [0, 20, 10], [0, 60], [-1, 10], [0, Number.NaN]]) {
    it(`refuses the offsets [${offsets.join(", ")}] with a RangeError`, () => {
      expect(() => largestAttemptGapSeconds(offsets)).to.throw(
        RangeError,
        `largestAttemptGapSeconds: offsets must be ascending seconds from 0 to under 60, at least one, got [${offsets.join(", ")}]`,
      );
    });
  }

  it("refuses a health check that is not whole and positive", () => {
    expect(() => probeEvaluationPeriods(0, 3)).to.throw(RangeError, "probeEvaluationPeriods: intervalSeconds must be a positive whole number, got 0");
    expect(() => probeEvaluationPeriods(30, 1.5)).to.throw(RangeError, "probeEvaluationPeriods: failureThreshold must be a positive whole number, got 1.5");
  });
});

// ---------------------------------------------------------------------------------------------
// The role, in the IAM simulator
// ---------------------------------------------------------------------------------------------

const LOG_GROUP_ARN = `arn:aws:logs:${DR_REGION}:${MOCK_ACCOUNT_ID}:log-group:/aws/lambda/multi-region-dr-dr-dr-primary-probe`;

async function decision(policy: PolicyDocument, action: string, resource: string, context: Record<string, string> = {}): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/probe`,
        action,
        resource: { resource, accountId: MOCK_ACCOUNT_ID },
        contextVariables: context,
      },
      identityPolicies: [{ name: "probe", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error") throw new Error(`iam-simulate refused ${action} on ${resource}: ${JSON.stringify(response.errors)}`);
  if (response.resultType === "single" && (response.result.ignoredContextKeys ?? []).length > 0)
    throw new Error(`iam-simulate ignored context keys ${response.result.ignoredContextKeys?.join(", ")}`);
  return response.overallResult;
}

describe("PrimaryEndpointProbe's role, simulated", () => {
  const policy = probeFunctionPolicy(PROBE_METRIC.namespace, LOG_GROUP_ARN, false);
  const stream = `${LOG_GROUP_ARN}:log-stream:2030/01/01/[$LATEST]0123456789abcdef`;

  it("may publish the probe's metric", async () => {
    expect(await decision(policy, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": PROBE_METRIC.namespace })).to.equal("Allowed");
  });

  it("may not publish in the fence's namespace (it would fence or release the primary), nor any other", async () => {
    expect(await decision(policy, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": FENCE_METRIC.namespace })).to.equal("ImplicitlyDenied");
    expect(await decision(policy, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "Other" })).to.equal("ImplicitlyDenied");
  });

  it("may write its own log streams, not another function's", async () => {
    expect(await decision(policy, "logs:CreateLogStream", stream)).to.equal("Allowed");
    expect(await decision(policy, "logs:PutLogEvents", stream)).to.equal("Allowed");
    const other = `arn:aws:logs:${DR_REGION}:${MOCK_ACCOUNT_ID}:log-group:/aws/lambda/other:log-stream:s`;
    expect(await decision(policy, "logs:PutLogEvents", other)).to.equal("ImplicitlyDenied");
  });

  it("writes X-Ray traces only with tracing on", async () => {
    expect(await decision(policy, "xray:PutTraceSegments", "*")).to.equal("ImplicitlyDenied");
    const traced = probeFunctionPolicy(PROBE_METRIC.namespace, LOG_GROUP_ARN, true);
    expect(await decision(traced, "xray:PutTraceSegments", "*")).to.equal("Allowed");
    expect(await decision(traced, "xray:PutTelemetryRecords", "*")).to.equal("Allowed");
  });

  it("may do nothing else the failover needs: no failover start, no Route 53, no metric read", async () => {
    expect(await decision(policy, "states:StartExecution", `arn:aws:states:${DR_REGION}:${MOCK_ACCOUNT_ID}:stateMachine:x`)).to.equal("ImplicitlyDenied");
    expect(await decision(policy, "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z0123456789")).to.equal("ImplicitlyDenied");
    expect(await decision(policy, "cloudwatch:GetMetricData", "*")).to.equal("ImplicitlyDenied");
  });
});
