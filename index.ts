/**
 * Entry point of both stacks. Reads and validates the stack's config (before any resource exists),
 * then builds the primary or the DR stack; what the builder returns becomes the stack's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config/load";
import { buildDrStack } from "./stacks/dr";
import { buildPrimaryStack } from "./stacks/primary";

export = async (): Promise<Record<string, unknown>> => {
  const config = readStackConfig();
  const stackName = pulumi.getStack();
  return config.role === "primary" ? buildPrimaryStack(config, stackName) : buildDrStack(config, stackName);
};
