/**
 * Issue 19: policies that prove, at every preview, that the signals tell the truth, and no single mistake deletes a DR copy.
 * (Filled in by the rules of this concern; each has a passing and a failing fixture.)
 */
import type { Policies } from "@pulumi/policy";

export const truthfulSignalsPolicies: Policies = [];
