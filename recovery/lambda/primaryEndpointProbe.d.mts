/** Types of the primary endpoint probe function (primaryEndpointProbe.mjs), for TypeScript callers and tests. */
import type { LookupFunction } from "node:net";

/** Environment variable names the function reads. */
export declare const PROBE_ENVIRONMENT: Readonly<{
  applicationName: "APPLICATION_NAME";
  albDnsName: "PRIMARY_ALB_DNS_NAME";
  protocol: "PRIMARY_PROTOCOL";
  port: "PRIMARY_PORT";
  healthPath: "HEALTH_PATH";
  namespace: "METRIC_NAMESPACE";
  metricName: "METRIC_NAME";
  attemptOffsetsSeconds: "ATTEMPT_OFFSETS_SECONDS";
  connectSeconds: "CONNECT_TIMEOUT_SECONDS";
  statusSeconds: "STATUS_TIMEOUT_SECONDS";
  healthyStatusMin: "HEALTHY_STATUS_MIN";
  healthyStatusMax: "HEALTHY_STATUS_MAX";
}>;

export declare const PROBE_PROTOCOLS: readonly ["HTTP", "HTTPS"];

/** StorageResolution of every datapoint the function publishes: 1, high resolution (a 30 s alarm period needs it). */
export declare const PROBE_STORAGE_RESOLUTION_SECONDS: 1;

/** Where an attempt connects and what it asks for. */
export interface ProbeTarget {
  /** The application's name: Host header, TLS server name and the name the certificate must match. */
  applicationName: string;
  /** Where to connect: the primary ALB's DNS name (tests: 127.0.0.1). */
  host: string;
  protocol: "HTTP" | "HTTPS";
  port: number;
  /** e.g. `/health`. */
  path: string;
}

/** How one attempt is judged: milliseconds to connect, to the status after connecting, and the healthy range. */
export interface ProbeLimits {
  connectMilliseconds: number;
  statusMilliseconds: number;
  healthyStatus: { min: number; max: number };
}

export interface ProbeConfiguration {
  target: ProbeTarget;
  limits: ProbeLimits;
  /** Seconds after the invocation starts, ascending, each under 60 (the component's: 0, 10, 20, 30, 40). */
  attemptOffsetsSeconds: number[];
  metric: { namespace: string; metricName: string };
}

/** Extra socket options: a CA list to trust instead of the default, a name look-up. */
export interface ProbeTransportOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  lookup?: LookupFunction;
}

export interface ProbeResult {
  healthy: boolean;
  /** The HTTP status, when one came. */
  status?: number;
  reason: string;
  milliseconds: number;
}

export interface ProbeAttempt extends ProbeResult {
  /** ISO 8601 time the attempt started: its datapoint's timestamp. */
  at: string;
  offsetSeconds: number;
  published: boolean;
}

export declare function probeConfiguration(environment: Record<string, string | undefined>): ProbeConfiguration;
export declare function hostHeader(target: Pick<ProbeTarget, "applicationName" | "protocol" | "port">): string;
export declare function probeEndpoint(target: ProbeTarget, limits: ProbeLimits, transport?: ProbeTransportOptions): Promise<ProbeResult>;
export declare function runAttempts(
  configuration: ProbeConfiguration,
  publish: (datum: { value: 0 | 1; timestamp: Date }) => Promise<void>,
  transport?: ProbeTransportOptions,
): Promise<{ attempts: ProbeAttempt[]; publishErrors: Error[] }>;
export declare function handler(event?: unknown): Promise<{ attempts: ProbeAttempt[] }>;
