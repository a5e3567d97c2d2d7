/**
 * The explicit AWS provider of a stack's region, with the program's default tags. Every component
 * receives it through `providers`, so no resource silently lands in the CLI's default region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, type StackConfig } from "../config/schema";

/** Tags on every resource: the program's own (Project, Stack, DrRole, ManagedBy) and the configured ones. */
export function stackTags(config: StackConfig, stackName: string): Record<string, string> {
  return { ...config.tags, Project: CONFIG_NAMESPACE, Stack: stackName, DrRole: config.role, ManagedBy: "pulumi" };
}

/** Creates the stack's regional provider. */
export function regionalProvider(config: StackConfig, stackName: string): aws.Provider {
  return new aws.Provider(`${config.role}-${config.region}`, {
    region: config.region,
    defaultTags: { tags: stackTags(config, stackName) },
  });
}

/**
 * A provider for another region that the stack reaches into (the DR stack's alarm topics in the
 * primary region and us-east-1, its backup plan in the primary region), with the stack's tags.
 * @param name the provider's logical name, unique in the stack.
 */
export function otherRegionProvider(name: string, region: string, config: StackConfig, stackName: string): aws.Provider {
  return new aws.Provider(name, { region, defaultTags: { tags: stackTags(config, stackName) } });
}

/** Options that put a component in the stack's region. */
export function inRegion(provider: aws.Provider): pulumi.ComponentResourceOptions {
  return { providers: { aws: provider } };
}

export { resourcePrefix } from "../config/conventions";
