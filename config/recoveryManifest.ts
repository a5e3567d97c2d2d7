/**
 * The recovery manifest: what a stack declares about its own recovery, written into the stack as an
 * SSM parameter in its region (`/<project>/<stack>/recovery-manifest`). It holds the declared RTO
 * and RPO and, in the DR stack, the copy of the primary's outputs that the DR stack was built
 * against.
 *
 * Why a resource and not only stack outputs: a CrossGuard policy pack sees a stack's resources but
 * neither its outputs nor the StackReference it reads (read resources are never sent to policy
 * packs, pulumi/pulumi#3950). The manifest makes the declared objectives and the cross-stack
 * contract visible to the pack at `pulumi preview`, and gives the on-call engineer (and the failover
 * workflow) the pair's facts in the DR region when the primary region is unreachable.
 */
import { z } from "zod";
import { primaryOutputsContract } from "./primaryContract";
import { STRATEGIES } from "./strategies";

export const RECOVERY_MANIFEST_SCHEMA_VERSION = 1;
/** Last path segment of the manifest parameter's name. */
export const RECOVERY_MANIFEST_NAME_SUFFIX = "/recovery-manifest";
/** SSM Standard parameters hold up to 4 KB; longer values need the Advanced tier (SSM quotas). */
export const STANDARD_PARAMETER_MAX_CHARACTERS = 4096;

export const recoveryManifestSchema = z.object({
  schemaVersion: z.literal(RECOVERY_MANIFEST_SCHEMA_VERSION),
  project: z.string().min(1),
  stack: z.string().min(1),
  role: z.enum(["primary", "dr"]),
  region: z.string().min(1),
  /** The DR strategy of the pair (config/strategies.ts). */
  strategy: z.enum(STRATEGIES),
  /** Declared recovery time objective, seconds. */
  rtoSeconds: z.number().int().positive(),
  /** Declared recovery point objective, seconds. */
  rpoSeconds: z.number().int().positive(),
  /** Declared recovery point objective of the replicated objects, seconds. */
  objectRpoSeconds: z.number().int().positive(),
  /** DR stacks only: the on-call's declared decision time for a manual failover (failover.decisionSeconds), which the RTO budget counts. */
  failoverDecisionSeconds: z.number().int().min(0).optional(),
  /** The app's health path (`app.healthPath`), which the target groups, the Route 53 checks and the probe ask. Absent means `/health`. */
  healthPath: z.string().startsWith("/").optional(),
  /** DR stacks only: the primary's outputs the DR stack was built against (the app's user-data template left out: it may exceed a parameter's 8 KB). */
  primary: primaryOutputsContract.optional(),
  /**
   * DR stacks only: the DR database was promoted by a failover (`database.promoted`), so the pair
   * has no replica until the primary is rebuilt as the standby. Absent means false.
   */
  databasePromoted: z.boolean().optional(),
  /** DR stacks only, backup-restore: the database was restored from the replicated backups (`database.restoreToTime`). Absent means false. */
  databaseRestored: z.boolean().optional(),
  /**
   * DR stacks only: the outage mode (`outage.primaryRegionDown`): the stack declares nothing in the
   * failed primary region, so the checks of what lives there (the primary bucket's replication, the
   * primary-region backup plan and alarms, the us-east-1 health-check alarm) do not apply. Absent means false.
   */
  primaryRegionDown: z.boolean().optional(),
});

export type RecoveryManifest = z.output<typeof recoveryManifestSchema>;

/** The parameter name of a stack's manifest. */
export function recoveryManifestName(project: string, stack: string): string {
  return `/${project}/${stack}${RECOVERY_MANIFEST_NAME_SUFFIX}`;
}

/**
 * Parses a manifest parameter's value.
 * @returns the manifest, or the problems found (each `path: message`), never both.
 */
export function parseRecoveryManifest(text: string): { manifest?: RecoveryManifest; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [`is not JSON (${(error as Error).message})`] };
  }
  const result = recoveryManifestSchema.safeParse(value);
  if (result.success) {
    if (result.data.role === "dr" && result.data.primary === undefined) return { problems: ["primary: a DR stack's manifest must hold the primary's outputs"] };
    if (result.data.role === "primary" && result.data.primary !== undefined)
      return { problems: ["primary: only a DR stack's manifest holds a primary's outputs"] };
    return { manifest: result.data, problems: [] };
  }
  return { problems: result.error.issues.map((issue) => `${issue.path.join(".") || "(manifest)"}: ${issue.message}`) };
}
