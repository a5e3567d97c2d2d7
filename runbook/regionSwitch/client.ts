/**
 * A small client of the ARC Region switch data plane: SigV4-signed JSON 1.0 requests.
 *
 * Why signed requests and not the AWS CLI: there is no `@aws-sdk/client-arc-region-switch` on npm,
 * and the AWS CLI is an outside dependency the runbook cannot assume (v2 has `aws arc-region-switch`,
 * v1 only from botocore 1.40, and many operators' machines have neither). The runbook already uses the
 * AWS SDK v3's default credential chain (`@aws-sdk/credential-provider-node`, the same profiles, SSO
 * and roles as the Step Functions path) and its signer (`@smithy/signature-v4`), both installed with
 * the SDK clients; a request is then one POST the tests can serve from a loopback server.
 *
 * Protocol (botocore model arc-region-switch 2022-07-26, `metadata.protocols`: `smithy-rpc-v2-cbor`
 * and `json`, `jsonVersion` 1.0, `targetPrefix` ArcRegionSwitch; Smithy "AWS JSON 1.0 protocol"):
 * `POST /`, `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: ArcRegionSwitch.<Operation>`,
 * the input as a JSON object; timestamps come back as epoch seconds; an error is a non-2xx answer
 * whose type is the `X-Amzn-ErrorType` header or the body's `__type` (or `code`), namespace before
 * `#` and anything after `:` dropped, with the message in `message` (or `Message`).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createHash, createHmac } from "node:crypto";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, SourceData } from "@smithy/types";
import { type DataPlaneOperation, dataPlaneEndpoint, SIGNING_NAME, TARGET_PREFIX } from "./endpoint";

/** An error the service returned: `name` is its error code (as the SDK's errors), e.g. `ResourceNotFoundException`. */
export class ArcRegionSwitchError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** The region's endpoint did not answer (DNS, connection, TLS or timeout): `name` is `RegionUnreachable`. */
export class RegionUnreachableError extends Error {
  constructor(
    readonly region: string,
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`${endpoint} did not answer: ${reason}`);
    this.name = "RegionUnreachable";
  }
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape `SignatureV4` takes (`HashConstructor`). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** How the client reaches and signs. */
export interface ArcRegionSwitchClientOptions {
  region: string;
  /** Default: the AWS SDK's default chain (env, profile, SSO, web identity, ECS, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Milliseconds before a request counts as unanswered (default 15000). */
  timeoutMs?: number;
  /**
   * Tests only: open the connection to this loopback address instead of resolving the endpoint's
   * host, keeping the real Host header and signature (as `curl --resolve` does).
   */
  connectTo?: { host: string; port: number };
}

/** The client: one method, `send`, per data-plane operation. */
export class ArcRegionSwitchClient {
  readonly region: string;
  private readonly options: ArcRegionSwitchClientOptions;
  readonly endpoint: string;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;
  private readonly connectTo?: { host: string; port: number };

  constructor(options: ArcRegionSwitchClientOptions) {
    this.options = options;
    this.region = options.region;
    this.endpoint = dataPlaneEndpoint(options.region);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    if (options.connectTo) this.connectTo = options.connectTo;
    this.signer = new SignatureV4({
      service: SIGNING_NAME,
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
  }

  /**
   * The same client (region, endpoint, timeout, connection) signing with other credentials: the approver
   * role's for ApprovePlanExecutionStep (runbook/regionSwitch/approver.ts).
   */
  withCredentials(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): ArcRegionSwitchClient {
    return new ArcRegionSwitchClient({ ...this.options, credentials });
  }

  /**
   * Sends `operation` with `input` (the model's request shape) to this region's data plane.
   * @returns the parsed JSON answer (`{}` for an empty body).
   * @throws ArcRegionSwitchError for an error answer; RegionUnreachableError when nothing answers;
   *   the credential chain's error (`CredentialsProviderError`) when there is nothing to sign with.
   */
  async send(operation: DataPlaneOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const url = new URL(this.endpoint);
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      path: "/",
      query: {},
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `${TARGET_PREFIX}.${operation}`,
        "content-length": String(Buffer.byteLength(body)),
      },
      body,
    });
    const answer = await this.post(url, signed.headers, body);
    let parsed: Record<string, unknown> = {};
    if (answer.body.trim() !== "") {
      try {
        parsed = JSON.parse(answer.body) as Record<string, unknown>;
      } catch {
        if (answer.status < 300) throw new ArcRegionSwitchError("InvalidResponse", `${operation} returned a body that is not JSON`, answer.status);
      }
    }
    if (answer.status >= 300) throw errorOf(answer.status, answer.errorType, parsed);
    return parsed;
  }

  private post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; errorType?: string; body: string }> {
    const viaLoopback = this.connectTo !== undefined;
    const send = viaLoopback ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        {
          method: "POST",
          host: this.connectTo?.host ?? url.hostname,
          port: this.connectTo?.port ?? 443,
          path: "/",
          headers,
          ...(viaLoopback ? {} : { servername: url.hostname }),
          timeout: this.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const errorType = response.headers["x-amzn-errortype"];
            resolve({
              status: response.statusCode ?? 0,
              ...(typeof errorType === "string" ? { errorType } : {}),
              body: Buffer.concat(chunks).toString("utf8"),
            });
          });
          response.on("error", (error) => reject(new RegionUnreachableError(this.region, this.endpoint, error.message)));
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      outgoing.on("error", (error: NodeJS.ErrnoException) =>
        reject(new RegionUnreachableError(this.region, this.endpoint, error.code ? `${error.code} ${error.message}` : error.message)),
      );
      outgoing.end(body);
    });
  }
}

/** The Smithy AWS JSON 1.0 error type, sanitized: `aws.protocoltests#FooError:http://...` -> `FooError`. */
export function sanitizeErrorType(raw: string): string {
  return raw.split(":")[0].split("#").pop() ?? raw;
}

function errorOf(status: number, header: string | undefined, body: Record<string, unknown>): ArcRegionSwitchError {
  const raw = header ?? (typeof body.__type === "string" ? body.__type : typeof body.code === "string" ? body.code : undefined);
  const name = raw ? sanitizeErrorType(raw) : `Http${status}`;
  const message = typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : `HTTP ${status}`;
  return new ArcRegionSwitchError(name, message, status);
}

/** A model timestamp (epoch seconds in JSON 1.0; an ISO string is accepted too) as a Date. */
export function timestampOf(value: unknown): Date | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value);
  return undefined;
}
