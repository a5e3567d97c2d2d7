/**
 * The primary endpoint probe (components/primaryEndpointProbe.ts): runs in the DR region, outside any
 * VPC, and checks the PRIMARY region's load balancer the way one Route 53 health checker does, so the
 * automatic failover's signal does not depend on Route 53's metrics, which exist in us-east-1 only.
 *
 * Each invocation (an EventBridge schedule, every minute; the event is ignored) makes one attempt at
 * each offset of `ATTEMPT_OFFSETS_SECONDS` after it starts (0, 10, 20, 30 and 40 s) and publishes one
 * datapoint per attempt, right after it, in the DR region: the metric `METRIC_NAME` of namespace
 * `METRIC_NAMESPACE` with the dimension `Application=<APPLICATION_NAME>`, 1 when the attempt was
 * healthy and 0 when not, as a high-resolution datapoint (`StorageResolution: 1`,
 * PROBE_STORAGE_RESOLUTION_SECONDS): the alarm on it reads 30 s periods, which CloudWatch allows only
 * for metrics stored that way (CloudWatch API Reference, PutMetricAlarm `Period`). The alarm (Maximum
 * below 1 for N 30 s periods) goes to ALARM only when every attempt of N x 30 s failed.
 *
 * One attempt, as a Route 53 checker judges an HTTP(S) endpoint (Route 53 Developer Guide, "How Amazon
 * Route 53 determines whether a health check is healthy"): a TCP connection within
 * `CONNECT_TIMEOUT_SECONDS` (4), then an HTTP status within `STATUS_TIMEOUT_SECONDS` (2) of connecting
 * (for HTTPS the TLS handshake counts in those 2 s), healthy when the status is within
 * `HEALTHY_STATUS_MIN`-`HEALTHY_STATUS_MAX` (200-399). Redirects are not followed, the body is not read.
 * The name look-up counts in the connection's 4 s. Every attempt opens its own connection (`agent:
 * false`: Node's global agent keeps connections alive since Node.js 19, and a reused connection would
 * skip the connection the check times).
 *
 * Where it connects: to the primary ALB's DNS name (`PRIMARY_ALB_DNS_NAME`), never to the application
 * name, which follows the failover to the DR region. The request names the application: `Host` is the
 * application name (with `:port` when the port is not the protocol's default, as RFC 9110 section 7.2
 * and Route 53 do), and over HTTPS the TLS server name (SNI) is the application name and the
 * certificate is verified against it with the runtime's default CA list: the ALB's certificate is for
 * the application's name, not for the ALB's DNS name. A certificate that does not verify is an
 * unhealthy attempt, as it is for every browser.
 *
 * Errors: the attempts never throw (an unreachable primary is a result, 0). The handler throws
 * `MisconfiguredFunction` on a bad environment, and `PublishFailed` after all attempts when any
 * datapoint could not be published; both count in AWS/Lambda Errors, which the component alarms on.
 *
 * Runtime: nodejs22.x, run as is (no bundle): Node's standard library for the probe, and the AWS SDK
 * for JavaScript v3 that the runtime includes for PutMetricData (Lambda Developer Guide, "Building
 * Lambda functions with Node.js": "Your code runs in an environment that includes the AWS SDK for
 * JavaScript").
 */
import console from "node:console";
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";
import { setTimeout as delay } from "node:timers/promises";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";

/** Environment variable names the function reads (`probeEnvironment` in components/primaryEndpointProbe.ts writes them). */
export const PROBE_ENVIRONMENT = Object.freeze({
  applicationName: "APPLICATION_NAME",
  albDnsName: "PRIMARY_ALB_DNS_NAME",
  protocol: "PRIMARY_PROTOCOL",
  port: "PRIMARY_PORT",
  healthPath: "HEALTH_PATH",
  namespace: "METRIC_NAMESPACE",
  metricName: "METRIC_NAME",
  attemptOffsetsSeconds: "ATTEMPT_OFFSETS_SECONDS",
  connectSeconds: "CONNECT_TIMEOUT_SECONDS",
  statusSeconds: "STATUS_TIMEOUT_SECONDS",
  healthyStatusMin: "HEALTHY_STATUS_MIN",
  healthyStatusMax: "HEALTHY_STATUS_MAX",
});

/** The protocols the probe speaks, as the ALB listener and Route 53 name them. */
export const PROBE_PROTOCOLS = Object.freeze(["HTTP", "HTTPS"]);

/** The default port of each protocol: `Host` carries the port only when it differs. */
const DEFAULT_PORTS = Object.freeze({ HTTP: 80, HTTPS: 443 });

/** The schedule starts a run every minute: attempts must start within it. */
const SCHEDULE_PERIOD_SECONDS = 60;

/**
 * StorageResolution of every datapoint: 1, a high-resolution metric (CloudWatch API Reference,
 * MetricDatum `StorageResolution`: "Valid values are 1 and 60. Setting this to 1 specifies this metric
 * as a high-resolution metric, so that CloudWatch stores the metric with sub-minute resolution down to
 * one second"; the default, 60, stores it per minute). The probe alarm's 30 s period needs it: "specify
 * 10, 20, or 30 only for metrics that are stored by a PutMetricData call with a StorageResolution of 1"
 * (PutMetricAlarm `Period`). The metric costs the same either way; the alarm is high-resolution.
 */
export const PROBE_STORAGE_RESOLUTION_SECONDS = 1;

/**
 * An Error whose `name` is `name`: the error type Lambda reports.
 * @param {string} name
 * @param {string} message
 */
function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * @param {Record<string, string | undefined>} environment
 * @param {keyof typeof PROBE_ENVIRONMENT} key
 * @returns {string}
 */
function required(environment, key) {
  const value = environment[PROBE_ENVIRONMENT[key]];
  if (value === undefined || value.trim() === "") throw namedError("MisconfiguredFunction", `environment variable ${PROBE_ENVIRONMENT[key]} is not set`);
  return value.trim();
}

/**
 * @param {Record<string, string | undefined>} environment
 * @param {keyof typeof PROBE_ENVIRONMENT} key
 * @param {{ min: number, max: number, integer?: boolean }} range
 * @returns {number}
 */
function number(environment, key, { min, max, integer = false }) {
  const text = required(environment, key);
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw namedError(
      "MisconfiguredFunction",
      `${PROBE_ENVIRONMENT[key]} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

/**
 * The probe's settings from the function's environment.
 * @param {Record<string, string | undefined>} environment usually `process.env`
 * @returns {import("./primaryEndpointProbe.d.mts").ProbeConfiguration}
 * @throws {Error} named `MisconfiguredFunction` when a variable is missing or out of range
 */
export function probeConfiguration(environment) {
  const protocol = required(environment, "protocol");
  if (!PROBE_PROTOCOLS.includes(protocol)) {
    throw namedError("MisconfiguredFunction", `${PROBE_ENVIRONMENT.protocol} must be HTTP or HTTPS, got "${protocol}"`);
  }
  const path = required(environment, "healthPath");
  if (!path.startsWith("/")) throw namedError("MisconfiguredFunction", `${PROBE_ENVIRONMENT.healthPath} must start with "/", got "${path}"`);
  const offsetsText = required(environment, "attemptOffsetsSeconds");
  const offsets = offsetsText.split(",").map((part) => Number(part.trim()));
  const ascending = offsets.every((offset, index) => index === 0 || offset > offsets[index - 1]);
  if (offsets.some((offset) => !Number.isFinite(offset) || offset < 0 || offset >= SCHEDULE_PERIOD_SECONDS) || !ascending) {
    throw namedError(
      "MisconfiguredFunction",
      `${PROBE_ENVIRONMENT.attemptOffsetsSeconds} must be ascending seconds from 0 to under ${SCHEDULE_PERIOD_SECONDS}, comma-separated, got "${offsetsText}"`,
    );
  }
  const healthyStatus = {
    min: number(environment, "healthyStatusMin", { min: 100, max: 599, integer: true }),
    max: number(environment, "healthyStatusMax", { min: 100, max: 599, integer: true }),
  };
  if (healthyStatus.min > healthyStatus.max) {
    throw namedError(
      "MisconfiguredFunction",
      `${PROBE_ENVIRONMENT.healthyStatusMin} (${healthyStatus.min}) is above ${PROBE_ENVIRONMENT.healthyStatusMax} (${healthyStatus.max})`,
    );
  }
  return {
    target: {
      applicationName: required(environment, "applicationName"),
      host: required(environment, "albDnsName"),
      protocol: /** @type {"HTTP" | "HTTPS"} */ (protocol),
      port: number(environment, "port", { min: 1, max: 65535, integer: true }),
      path,
    },
    limits: {
      connectMilliseconds: number(environment, "connectSeconds", { min: 0.001, max: SCHEDULE_PERIOD_SECONDS }) * 1000,
      statusMilliseconds: number(environment, "statusSeconds", { min: 0.001, max: SCHEDULE_PERIOD_SECONDS }) * 1000,
      healthyStatus,
    },
    attemptOffsetsSeconds: offsets,
    metric: { namespace: required(environment, "namespace"), metricName: required(environment, "metricName") },
  };
}

/**
 * The `Host` header for the application name on `port`: the name alone on the protocol's default port,
 * `name:port` otherwise (RFC 9110, section 7.2; Route 53 API Reference, HealthCheckConfig `Port` and
 * `FullyQualifiedDomainName`, builds its Host header the same way).
 * @param {{ applicationName: string, protocol: "HTTP" | "HTTPS", port: number }} target
 */
export function hostHeader({ applicationName, protocol, port }) {
  return port === DEFAULT_PORTS[protocol] ? applicationName : `${applicationName}:${port}`;
}

/**
 * One attempt at the endpoint. Never rejects: every failure is an unhealthy result with its reason.
 * @param {import("./primaryEndpointProbe.d.mts").ProbeTarget} target
 * @param {import("./primaryEndpointProbe.d.mts").ProbeLimits} limits
 * @param {import("./primaryEndpointProbe.d.mts").ProbeTransportOptions} [transport] extra TLS and socket
 *   options (tests: a private CA, a look-up); the handler passes none and uses the runtime's CA list
 * @returns {Promise<import("./primaryEndpointProbe.d.mts").ProbeResult>}
 */
export function probeEndpoint(target, limits, transport = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    /** @type {NodeJS.Timeout | undefined} */
    let statusTimer;
    let settled = false;
    /** @type {http.ClientRequest} */
    let request;
    /** @param {{ healthy: boolean, status?: number, reason: string }} result */
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(statusTimer);
      request?.destroy();
      resolve({ ...result, milliseconds: Math.round(performance.now() - started) });
    };
    const connectTimer = setTimeout(
      () => finish({ healthy: false, reason: `no TCP connection within ${limits.connectMilliseconds} ms` }),
      limits.connectMilliseconds,
    );
    const options = {
      host: target.host,
      port: target.port,
      path: target.path,
      method: "GET",
      headers: { Host: hostHeader(target), "User-Agent": "multi-region-dr-primary-endpoint-probe", Connection: "close" },
      agent: false,
      ...(transport.lookup ? { lookup: transport.lookup } : {}),
    };
    request =
      target.protocol === "HTTPS"
        ? // servername: the SNI and the name the certificate is checked against (Node.js tls.connect `servername`, `checkServerIdentity`).
          https.request({ ...options, servername: target.applicationName, rejectUnauthorized: true, ...(transport.ca ? { ca: transport.ca } : {}) })
        : http.request(options);
    request.on("socket", (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        statusTimer = setTimeout(
          () => finish({ healthy: false, reason: `no HTTP status within ${limits.statusMilliseconds} ms of connecting` }),
          limits.statusMilliseconds,
        );
      };
      // A TLS socket is a TCP socket first: `connect` is the TCP connection, before the handshake.
      if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      // The body is not read; destroying the request next may fail the response stream ("aborted"), which is no news.
      response.on("error", () => undefined);
      response.resume();
      const healthy = status >= limits.healthyStatus.min && status <= limits.healthyStatus.max;
      finish({
        healthy,
        status,
        reason: healthy ? `HTTP ${status}` : `HTTP ${status}, outside ${limits.healthyStatus.min}-${limits.healthyStatus.max}`,
      });
    });
    request.on("error", (error) => {
      const code = /** @type {{ code?: string }} */ (error).code;
      finish({ healthy: false, reason: `${code ?? error.name}: ${error.message}` });
    });
    request.end();
  });
}

/**
 * Runs the attempts of one invocation and publishes each one's datapoint right after it.
 * @param {import("./primaryEndpointProbe.d.mts").ProbeConfiguration} configuration
 * @param {(datum: { value: 0 | 1, timestamp: Date }) => Promise<void>} publish
 * @param {import("./primaryEndpointProbe.d.mts").ProbeTransportOptions} [transport]
 * @returns {Promise<{ attempts: import("./primaryEndpointProbe.d.mts").ProbeAttempt[], publishErrors: Error[] }>}
 */
export async function runAttempts(configuration, publish, transport) {
  const start = performance.now();
  /** @type {import("./primaryEndpointProbe.d.mts").ProbeAttempt[]} */
  const attempts = [];
  /** @type {Error[]} */
  const publishErrors = [];
  for (const offset of configuration.attemptOffsetsSeconds) {
    const wait = start + offset * 1000 - performance.now();
    if (wait > 0) await delay(wait);
    const timestamp = new Date();
    const result = await probeEndpoint(configuration.target, configuration.limits, transport);
    let published = true;
    try {
      await publish({ value: result.healthy ? 1 : 0, timestamp });
    } catch (error) {
      published = false;
      publishErrors.push(/** @type {Error} */ (error));
    }
    const attempt = { at: timestamp.toISOString(), offsetSeconds: offset, ...result, published };
    attempts.push(attempt);
    console.log(JSON.stringify({ message: "primary endpoint probe", ...attempt }));
  }
  return { attempts, publishErrors };
}

/** The CloudWatch client of the function's own region (Lambda sets AWS_REGION), created on first use. */
let cloudWatch;

/**
 * Lambda handler: the attempts of one minute, each published as a high-resolution datapoint.
 * @returns {Promise<{ attempts: import("./primaryEndpointProbe.d.mts").ProbeAttempt[] }>}
 * @throws {Error} `MisconfiguredFunction` (bad environment, nothing probed); `PublishFailed` (after
 *   every attempt, when one or more datapoints could not be published)
 */
export async function handler() {
  const configuration = probeConfiguration(process.env);
  cloudWatch ??= new CloudWatchClient({});
  const { namespace, metricName } = configuration.metric;
  const dimensions = [{ Name: "Application", Value: configuration.target.applicationName }];
  const publish = async ({ value, timestamp }) => {
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          {
            MetricName: metricName,
            Dimensions: dimensions,
            Timestamp: timestamp,
            Value: value,
            Unit: "None",
            StorageResolution: PROBE_STORAGE_RESOLUTION_SECONDS,
          },
        ],
      }),
    );
  };
  const { attempts, publishErrors } = await runAttempts(configuration, publish);
  if (publishErrors.length > 0) {
    const causes = [...new Set(publishErrors.map((error) => `${error.name}: ${error.message}`))].join("; ");
    throw namedError("PublishFailed", `${publishErrors.length} of ${attempts.length} datapoints of ${namespace}/${metricName} not published: ${causes}`);
  }
  return { attempts };
}
