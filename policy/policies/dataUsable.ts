/**
 * Issue 19: policies that prove, at every preview, that the data would be there and usable at once.
 * (Filled in by the rules of this concern; each has a passing and a failing fixture.)
 */
import type { Policies } from "@pulumi/policy";

export const dataUsablePolicies: Policies = [];
