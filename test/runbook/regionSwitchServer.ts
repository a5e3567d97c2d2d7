/**
 * A loopback ARC Region switch data plane for the runbook tests: an HTTP server that speaks AWS JSON
 * 1.0 as the botocore model `arc-region-switch` 2022-07-26 describes it (regionSwitchModel.json, a
 * trimmed copy). Every request is checked: POST /, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: ArcRegionSwitch.<data-plane operation>`, a Host that is the regional data-plane
 * endpoint (never the control plane), a SigV4 Authorization for that region and the service
 * `arc-region-switch` whose signature the server recomputes with the key it names (the operator's
 * `CREDENTIALS`, or the approver role's `APPROVER_CREDENTIALS` with their session token), and a body valid for the operation's
 * input shape. Answers are checked against the output shapes too, so the fake cannot drift from the
 * model. Problems are collected in `violations` (the tests expect none) and answered with a 400.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import * as path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";
import type { SourceData } from "@smithy/types";
import { ArcRegionSwitchClient } from "../../runbook/regionSwitch/client";

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}
interface Model {
  metadata: { targetPrefix: string; signingName: string; jsonVersion: string };
  operations: Record<string, { input: { shape: string }; output: { shape: string }; staticContextParams?: Record<string, { value: unknown }> }>;
  shapes: Record<string, Shape>;
}

export const MODEL = JSON.parse(readFileSync(path.join(__dirname, "regionSwitchModel.json"), "utf8")) as Model;

export const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
/** The approver role's temporary credentials, as the tests' STS AssumeRole returns them. */
export const APPROVER_CREDENTIALS = {
  accessKeyId: "ASIAAPPROVEREXAMPLE",
  secretAccessKey: "approverSecretKeyEXAMPLE/0123456789abcdefgh",
  sessionToken: "approver-session-token-EXAMPLE",
};
/** The keys the fake knows: a request signed with any other fails its signature check. */
const KNOWN_CREDENTIALS = [CREDENTIALS, APPROVER_CREDENTIALS];

/** Problems of `value` against the model shape `name` (required members, unknown members, types, enums, patterns, bounds). */
export function validateShape(name: string, value: unknown, where = "$"): string[] {
  const shape = MODEL.shapes[name];
  if (!shape) return [`${where}: shape ${name} is not in the model`];
  switch (shape.type) {
    case "structure": {
      if (!value || typeof value !== "object" || Array.isArray(value)) return [`${where}: expected an object (${name})`];
      const record = value as Record<string, unknown>;
      const problems = (shape.required ?? []).filter((member) => record[member] === undefined).map((member) => `${where}.${member}: required by ${name}`);
      for (const [member, memberValue] of Object.entries(record)) {
        const memberShape = shape.members?.[member];
        if (!memberShape) problems.push(`${where}.${member}: not a member of ${name}`);
        else problems.push(...validateShape(memberShape.shape, memberValue, `${where}.${member}`));
      }
      return problems;
    }
    case "list":
      if (!Array.isArray(value)) return [`${where}: expected a list (${name})`];
      return [
        ...(shape.min !== undefined && value.length < shape.min ? [`${where}: fewer than ${shape.min} items`] : []),
        ...(shape.max !== undefined && value.length > shape.max ? [`${where}: more than ${shape.max} items`] : []),
        ...value.flatMap((item, index) => validateShape(shape.member!.shape, item, `${where}[${index}]`)),
      ];
    case "map":
      if (!value || typeof value !== "object") return [`${where}: expected a map (${name})`];
      return Object.entries(value).flatMap(([key, item]) => [
        ...validateShape(shape.key!.shape, key, `${where}{key}`),
        ...validateShape(shape.value!.shape, item, `${where}.${key}`),
      ]);
    case "string": {
      if (typeof value !== "string") return [`${where}: expected a string (${name})`];
      const problems: string[] = [];
      if (shape.enum && !shape.enum.includes(value)) problems.push(`${where}: ${value} is not one of ${shape.enum.join(", ")}`);
      if (shape.pattern && !new RegExp(`^(?:${shape.pattern})$`).test(value)) problems.push(`${where}: ${value} does not match ${shape.pattern}`);
      if (shape.min !== undefined && value.length < shape.min) problems.push(`${where}: shorter than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) problems.push(`${where}: longer than ${shape.max}`);
      return problems;
    }
    case "integer":
    case "long":
      if (!Number.isInteger(value)) return [`${where}: expected an integer (${name})`];
      return [
        ...(shape.min !== undefined && (value as number) < shape.min ? [`${where}: below ${shape.min}`] : []),
        ...(shape.max !== undefined && (value as number) > shape.max ? [`${where}: above ${shape.max}`] : []),
      ];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${where}: expected a boolean`];
    case "timestamp":
      return typeof value === "number" ? [] : [`${where}: expected epoch seconds (JSON 1.0 timestamp)`];
    default:
      return [];
  }
}

class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", Buffer.from(secret as string | Uint8Array));
  }
  update(data: SourceData): void {
    this.hash.update(typeof data === "string" ? data : Buffer.from(data as Uint8Array));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** One request the server received. */
export interface ReceivedRequest {
  operation: string;
  region: string;
  host: string;
  body: Record<string, unknown>;
  /** The access key id of the signature (its Credential scope). */
  accessKeyId: string;
  /** The X-Amz-Security-Token header, when the request carries one (temporary credentials). */
  sessionToken?: string;
}

/** An answer: a body for the operation's output shape, or an error. */
export type Answer = { body: Record<string, unknown> } | { error: string; message: string; status?: number };
export type Handler = (body: Record<string, unknown>, region: string) => Answer;

export interface FakeArc {
  requests: ReceivedRequest[];
  violations: string[];
  /** Handlers by operation name; an operation without one answers 500. */
  handlers: Record<string, Handler>;
  port: number;
  /** A client of `region` whose connections reach this server. */
  client(region: string): ArcRegionSwitchClient;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => resolve(text));
  });
}

async function checkSignature(request: IncomingMessage, text: string, region: string): Promise<string[]> {
  const authorization = String(request.headers.authorization ?? "");
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) return [`Authorization is not SigV4: ${authorization}`];
  const [, accessKey, , scopeRegion, service, signedHeaders, signature] = match;
  const problems: string[] = [];
  const credentials = KNOWN_CREDENTIALS.find((known) => known.accessKeyId === accessKey);
  if (!credentials) return [`signed with ${accessKey}, a key the fake does not know`];
  const token = request.headers["x-amz-security-token"];
  if ("sessionToken" in credentials) {
    if (token !== credentials.sessionToken) problems.push(`${accessKey} is temporary but the request carries no (or another) X-Amz-Security-Token`);
    if (!signedHeaders.split(";").includes("x-amz-security-token")) problems.push("x-amz-security-token is not signed");
  }
  if (scopeRegion !== region) problems.push(`signed for ${scopeRegion}, sent to ${region}`);
  if (service !== MODEL.metadata.signingName) problems.push(`signed for service ${service}`);
  for (const header of ["host", "x-amz-date", "x-amz-target", "content-type"])
    if (!signedHeaders.split(";").includes(header)) problems.push(`${header} is not signed`);
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const headers = Object.fromEntries(signedHeaders.split(";").map((name) => [name, String(request.headers[name] ?? "")]));
  const signer = new SignatureV4({ service, region: scopeRegion, credentials, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: headers.host,
      path: "/",
      query: {},
      headers: Object.fromEntries(
        Object.entries(headers).filter(([name]) => name !== "x-amz-date" && name !== "authorization" && name !== "x-amz-security-token"),
      ),
      body: text,
    },
    { signingDate },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1];
  if (expectedSignature !== signature) problems.push("the signature does not verify");
  return problems;
}

/** Starts the fake on a free loopback port. */
export async function startFakeArc(): Promise<FakeArc> {
  const requests: ReceivedRequest[] = [];
  const violations: string[] = [];
  const handlers: Record<string, Handler> = {};
  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      const reply = (status: number, body: Record<string, unknown>, errorType?: string) => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.0", ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
        response.end(JSON.stringify(body));
      };
      const host = String(request.headers.host ?? "");
      const target = String(request.headers["x-amz-target"] ?? "");
      const operation = target.startsWith(`${MODEL.metadata.targetPrefix}.`) ? target.slice(MODEL.metadata.targetPrefix.length + 1) : "";
      const region = /^arc-region-switch\.([a-z0-9-]+)\.api\.aws$/.exec(host)?.[1] ?? "";
      const problems: string[] = [];
      if (request.method !== "POST" || request.url !== "/") problems.push(`${request.method} ${request.url}`);
      if (request.headers["content-type"] !== `application/x-amz-json-${MODEL.metadata.jsonVersion}`)
        problems.push(`content-type ${request.headers["content-type"]}`);
      if (!region) problems.push(`Host ${host} is not a regional data-plane endpoint`);
      const definition = MODEL.operations[operation];
      if (!definition) problems.push(`X-Amz-Target ${target} is not an operation of the model`);
      else if (definition.staticContextParams?.UseControlPlaneEndpoint) problems.push(`${operation} is a control-plane operation`);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        problems.push("the body is not JSON");
      }
      if (definition) problems.push(...validateShape(definition.input.shape, body).map((problem) => `${operation} input ${problem}`));
      if (region) problems.push(...(await checkSignature(request, text, region)));
      const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1] ?? "";
      const sessionToken = request.headers["x-amz-security-token"];
      requests.push({ operation, region, host, body, accessKeyId, ...(typeof sessionToken === "string" ? { sessionToken } : {}) });
      if (problems.length > 0) {
        violations.push(...problems);
        reply(400, { __type: "ValidationException", message: problems.join("; ") });
        return;
      }
      const handler = handlers[operation];
      if (!handler) {
        reply(500, { message: `no handler for ${operation}` }, "InternalServerException");
        return;
      }
      const answer = handler(body, region);
      if ("error" in answer) {
        reply(answer.status ?? 400, { __type: `com.amazonaws.arcregionswitch#${answer.error}`, message: answer.message });
        return;
      }
      violations.push(...validateShape(definition!.output.shape, answer.body).map((problem) => `${operation} output ${problem}`));
      reply(200, answer.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    requests,
    violations,
    handlers,
    port,
    client: (region) => new ArcRegionSwitchClient({ region, credentials: CREDENTIALS, connectTo: { host: "127.0.0.1", port }, timeoutMs: 5000 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
