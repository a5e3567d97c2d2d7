/**
 * Every policy of the pack, grouped by concern. Importing this module does not start the policy
 * server (only `policy/index.ts` constructs the PolicyPack), so tests and the offline evaluator use it.
 */
import type { Policies } from "@pulumi/policy";
import { appCopiesPolicies } from "./appCopies";
import { backupPolicies } from "./backup";
import { computePolicies } from "./compute";
import { cachePolicies } from "./cache";
import { databasePolicies } from "./database";
import { dataUsablePolicies } from "./dataUsable";
import { drTierPolicies } from "./drTier";
import { edgePolicies } from "./edge";
import { dnsFailoverPolicies } from "./dnsFailover";
import { faultInjectionPolicies } from "./faultInjection";
import { globalTablePolicies } from "./globalTable";
import { keysAndLogsPolicies } from "./keysLogs";
import { monitoringPolicies } from "./monitoring";
import { networkPolicies } from "./network";
import { recoveryPolicies } from "./recovery";
import { regionSwitchPolicies } from "./regionSwitch";
import { storagePolicies } from "./storage";
import { truthfulSignalsPolicies } from "./truthfulSignals";
import { workflowsRunPolicies } from "./workflowsRun";

/** The pack's policies by concern, in report order. */
export const POLICY_GROUPS = {
  "disaster recovery": recoveryPolicies,
  database: databasePolicies,
  "global table": globalTablePolicies,
  backup: backupPolicies,
  storage: storagePolicies,
  network: networkPolicies,
  compute: computePolicies,
  monitoring: monitoringPolicies,
  "DNS and failover": dnsFailoverPolicies,
  "keys and logs": keysAndLogsPolicies,
  "DR tier": drTierPolicies,
  "app in the DR region": appCopiesPolicies,
  "data usable": dataUsablePolicies,
  "signals and deletion": truthfulSignalsPolicies,
  "recovery workflows run": workflowsRunPolicies,
  "fault injection drills": faultInjectionPolicies,
  "Region switch plan": regionSwitchPolicies,
  edge: edgePolicies,
  cache: cachePolicies,
} as const;

export const ALL_POLICIES: Policies = Object.values(POLICY_GROUPS).flat();
