/**
 * The CrossGuard policy pack of multi-region-dr. This file only constructs the pack (which starts
 * the policy server); the policies live in `policies/`, grouped by concern.
 *
 *   pulumi preview --policy-pack policy [--policy-pack-config policy/policy-config.example.json]
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./policies";

new PolicyPack("multi-region-dr", {
  description: "DR invariants across the primary and DR stacks, and the AWS security checks they rest on",
  policies: ALL_POLICIES,
});
