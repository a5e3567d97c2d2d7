/**
 * The analyzer protocol as the Pulumi engine speaks it to a policy pack (gRPC, `@pulumi/pulumi`'s
 * proto modules from the pack's own node_modules), for the tests that start a pack and talk to it:
 * test/policy/packServer.test.ts (the pack in policy/) and test/policy/packArtifact.test.ts (the
 * bundled, publishable pack).
 */
import type { ChildProcess } from "node:child_process";
import type { StackPlan } from "../../synth/recordStack";

const POLICY_DIRECTORY = `${__dirname}/../../policy`;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fromPack = (module: string) => require(require.resolve(module, { paths: [POLICY_DIRECTORY] }));
/* eslint-disable @typescript-eslint/no-explicit-any */
export const grpc = fromPack("@grpc/grpc-js");
export const services = fromPack("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
export const messages = fromPack("@pulumi/pulumi/proto/analyzer_pb.js");
export const { Struct } = fromPack("google-protobuf/google/protobuf/struct_pb.js");
export const { Empty } = fromPack("google-protobuf/google/protobuf/empty_pb.js");

/** Calls one unary RPC of the analyzer client as a promise. */
export function call<T>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));
}

/** A resource's explicit provider as the engine sends it (type, name, URN and its inputs), or undefined. */
export function providerOf(plan: StackPlan, urn: string | undefined): any {
  const provider = urn === undefined ? undefined : plan.resources.find((resource) => resource.urn === urn);
  if (!provider) return undefined;
  const message = new messages.AnalyzerProviderResource();
  message.setType(provider.type);
  message.setName(provider.name);
  message.setUrn(provider.urn);
  message.setProperties(Struct.fromJavaScript(provider.inputs));
  return message;
}

/** The stack's resources as the engine sends them to AnalyzeStack: outputs, protect, provider, parent and dependencies. */
export function analyzeStackRequest(plan: StackPlan): unknown {
  const request = new messages.AnalyzeStackRequest();
  request.setResourcesList(
    plan.resources.map((resource) => {
      const analyzed = new messages.AnalyzerResource();
      analyzed.setType(resource.type);
      analyzed.setName(resource.name);
      analyzed.setUrn(resource.urn);
      analyzed.setProperties(Struct.fromJavaScript(resource.outputs));
      const options = new messages.AnalyzerResourceOptions();
      options.setProtect(resource.protect);
      analyzed.setOptions(options);
      const provider = providerOf(plan, resource.providerUrn);
      if (provider) analyzed.setProvider(provider);
      if (resource.parentUrn) analyzed.setParent(resource.parentUrn);
      analyzed.setDependenciesList(resource.dependencies);
      for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
        const dependencies = new messages.AnalyzerPropertyDependencies();
        dependencies.setUrnsList(urns);
        analyzed.getPropertydependenciesMap().set(key, dependencies);
      }
      return analyzed;
    }),
  );
  return request;
}

/**
 * Waits for a policy pack's analyzer server to print the port it listens on (the first line that is
 * a number, as `run-policy-pack` prints it) and returns an analyzer client on it.
 * @param what the server, for the error, e.g. "the pack".
 * @param stderr the server's error output so far, added to the error.
 * @throws (rejects with) Error when the server exits before it listens.
 */
export async function analyzerClientOf(server: ChildProcess, what: string, stderr: () => string = () => ""): Promise<any> {
  const port = await new Promise<string>((resolve, reject) => {
    let output = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(output);
      if (match) resolve(match[1]);
    });
    server.on("exit", (code) => reject(new Error(`${what} exited with ${code} before listening: ${output}${stderr()}`)));
  });
  return new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}
