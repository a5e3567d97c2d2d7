/**
 * Runs one stack's program under Pulumi's mock runtime and records every resource it registers:
 * type, name, parent, region, inputs and the resource options that matter for DR (protect,
 * retainOnDelete, ignoreChanges). The mock monitor passes neither parent nor options to `Mocks`, so
 * the recorder wraps the monitor's `registerResource` to read them from the request itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { isGlobalType, mockCloud } from "./mockCloud";

/** One resource as the program declared it. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** Logical name of the parent resource, or undefined at the top level. */
  parent?: string;
  /** URN of the parent resource, or undefined at the top level. */
  parentUrn?: string;
  /** URN of the explicit provider (`pulumi:providers:<package>`), or undefined for the default provider. */
  providerUrn?: string;
  /** URNs this resource depends on (explicit `dependsOn` and every Output it consumed). */
  dependencies: string[];
  /** For each input, the URNs of the resources whose outputs it was built from. */
  propertyDependencies: Record<string, string[]>;
  /** Region the resource lives in, or `global` for IAM and Route 53. */
  region: string;
  custom: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  /** Inputs with every Output resolved (under mocks, references carry the mocked ids and ARNs). */
  inputs: Record<string, unknown>;
  /** The physical id the (mock) provider returned; empty for components. */
  id: string;
  /** The (mock) provider's state: inputs plus computed attributes such as `arn`. */
  outputs: Record<string, unknown>;
}

/** A synthesized stack: its resources and its resolved outputs. */
export interface StackPlan {
  project: string;
  stack: string;
  role: string;
  region: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

export interface RecordStackArgs {
  project: string;
  stack: string;
  role: string;
  /** The stack's region: where resources with no provider region go. */
  region: string;
  /** Outputs of other stacks served to StackReferences, by fully qualified name. */
  stackReferenceOutputs?: Record<string, Record<string, unknown>>;
  /** The program: builds resources and returns the stack outputs. */
  program: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Give up waiting for outputs after this many milliseconds (default 30000). */
  timeoutMilliseconds?: number;
}

interface MonitorLike {
  registerResource(
    request: RegisterRequest,
    callback: (error: Error | null, response?: { getUrn(): string; getId(): string; getObject(): unknown }) => void,
  ): void;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { entries(): Iterable<[string, { getUrnsList(): string[] }]> };
  getObject(): unknown;
}

const runtimeInternals = pulumi.runtime as unknown as {
  waitForRPCs?: () => Promise<void>;
  deserializeProperties(struct: unknown): Record<string, unknown>;
};

/**
 * Synthesizes one stack.
 * @throws the program's own error (for example a ConfigError) or a timeout error; never hangs.
 */
export async function recordStack(args: RecordStackArgs): Promise<StackPlan> {
  const providerRegions = new Map<string, string>();
  const resolver = {
    defaultRegion: args.region,
    regionOfProvider(reference: string | undefined): string | undefined {
      return reference ? providerRegions.get(reference) : undefined;
    },
  };
  await pulumi.runtime.setMocks(mockCloud(resolver, args.stackReferenceOutputs), args.project, args.stack, false);

  const recorded: (Omit<PlannedResource, "parent" | "region" | "parentUrn" | "providerUrn"> & { parentUrn: string; providerReference: string })[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike | undefined;
  if (!monitor || typeof runtimeInternals.waitForRPCs !== "function") {
    throw new Error("recordStack: this @pulumi/pulumi version has no mock monitor or waitForRPCs; pin the version in package.json");
  }
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (!error && response) {
        const inputs = plainData(runtimeInternals.deserializeProperties(request.getObject()));
        const urn = response.getUrn();
        if (request.getType().startsWith("pulumi:providers:") && typeof inputs.region === "string") {
          providerRegions.set(`${urn}::${response.getId()}`, inputs.region);
        }
        recorded.push({
          urn,
          type: request.getType(),
          name: request.getName(),
          parentUrn: request.getParent(),
          providerReference: request.getProvider(),
          custom: request.getCustom(),
          protect: request.getProtect(),
          retainOnDelete: request.getRetainondelete(),
          ignoreChanges: request.getIgnorechangesList(),
          dependencies: request.getDependenciesList(),
          propertyDependencies: Object.fromEntries([...request.getPropertydependenciesMap().entries()].map(([key, value]) => [key, value.getUrnsList()])),
          inputs,
          id: response.getId(),
          outputs: response.getObject() ? plainData(runtimeInternals.deserializeProperties(response.getObject())) : {},
        });
      }
      callback(error, response);
    });

  const outputs = await withTimeout(
    (async () => {
      const returned = await args.program();
      const resolved = await outputValue(pulumi.output(returned));
      await runtimeInternals.waitForRPCs!();
      return resolved as Record<string, unknown>;
    })(),
    args.timeoutMilliseconds ?? 30000,
    `stack ${args.stack} did not finish within ${args.timeoutMilliseconds ?? 30000} ms`,
  );

  const byUrn = new Map(recorded.map((entry) => [entry.urn, entry]));
  const regionOf = (entry: (typeof recorded)[number]): string => {
    if (isGlobalType(entry.type)) return "global";
    if (typeof entry.inputs.region === "string") return entry.inputs.region;
    const fromProvider = providerRegions.get(entry.providerReference);
    if (fromProvider) return fromProvider;
    const parent = byUrn.get(entry.parentUrn);
    return parent ? regionOf(parent) : args.region;
  };
  const resources = recorded.map(({ parentUrn, providerReference, ...entry }) => ({
    ...entry,
    parent: byUrn.get(parentUrn)?.name,
    parentUrn: parentUrn || undefined,
    // A provider reference is `<urn>::<id>`; URNs contain `::` themselves, so cut at the last one.
    providerUrn: providerReference ? providerReference.slice(0, providerReference.lastIndexOf("::")) : undefined,
    region: regionOf(byUrn.get(entry.urn)!),
  }));
  return { project: args.project, stack: args.stack, role: args.role, region: args.region, resources, outputs };
}

/**
 * A JSON-safe copy of deserialized properties: resource references (passed to remote components,
 * such as a node group's cluster) become `{ resourceReference: "<type>" }`; secrets become their
 * plain values (as a policy pack receives them).
 */
export function plainData(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (pulumi.Resource.isInstance(item)) return { resourceReference: (item as unknown as { __pulumiType?: string }).__pulumiType ?? "resource" };
      // Secrets arrive as `{ <signature key>: <secret signature>, value }`; keep the plain value, as policy packs see it.
      const record = item as Record<string, unknown> | null;
      if (record && typeof record === "object" && record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return record.value;
      return item;
    }),
  ) as Record<string, unknown>;
}

/** The value of an Output; rejects when the Output fails instead of waiting forever. */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

function withTimeout<T>(work: Promise<T>, milliseconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), milliseconds);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
