/**
 * The stack's recovery manifest as the policies see it: the SSM parameter that the program writes
 * (`config/recoveryManifest.ts`), found by its name and parsed. Stack policies read the declared RTO
 * and RPO and, in the DR stack, the primary's outputs from it, because a policy pack cannot see a
 * StackReference (pulumi/pulumi#3950).
 */
import type { PolicyResource } from "@pulumi/policy";
import { parseRecoveryManifest, RECOVERY_MANIFEST_NAME_SUFFIX, type RecoveryManifest } from "../../config/recoveryManifest";
import { ofType, TYPES } from "./kit";

export interface FoundManifest {
  resource: PolicyResource;
  manifest?: RecoveryManifest;
  /** Why the value is not a valid manifest; empty when `manifest` is set. */
  problems: string[];
}

/** Every recovery manifest parameter of the stack. */
export function manifestsOf(resources: PolicyResource[]): FoundManifest[] {
  return ofType(resources, TYPES.ssmParameter)
    .filter((parameter) => String(parameter.props.name ?? "").endsWith(RECOVERY_MANIFEST_NAME_SUFFIX))
    .map((resource) => ({ resource, ...parseRecoveryManifest(String(resource.props.insecureValue ?? resource.props.value ?? "")) }));
}

/**
 * The app's health path: the one the stack's recovery manifest declares (`app.healthPath`), else the
 * policy config's (for stacks without a manifest).
 */
export function declaredHealthPath(resources: PolicyResource[], configured: string): string {
  return manifestOf(resources)?.manifest?.healthPath ?? configured;
}

/** The stack's one recovery manifest, or undefined when there is none or more than one. */
export function manifestOf(resources: PolicyResource[]): FoundManifest | undefined {
  const found = manifestsOf(resources);
  return found.length === 1 ? found[0] : undefined;
}
