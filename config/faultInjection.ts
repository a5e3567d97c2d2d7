/**
 * `faultInjection` (DR stack file only): the AWS FIS experiment templates of the DR drill (issue 21,
 * item 4; recovery/faults/catalogue.ts). Off by default: a template costs nothing at rest, but its
 * role may change route tables and replication, so a team turns drills on deliberately.
 *
 *     multi-region-dr:faultInjection:
 *       enabled: true
 *       durationMinutes: 20      # each fault's duration, 1 to 120 (FIS takes 1 minute to 12 hours)
 *       logRetentionDays: 30     # experiment logs in CloudWatch Logs
 *
 * The lead plugs `faultInjectionSchema` into the DR schema (config/schema.ts) as `faultInjection`;
 * zod's issues carry the path, so a bad value becomes a ConfigError naming
 * `multi-region-dr:faultInjection.<key>` before any resource exists.
 */
import { z } from "zod";
import { FAULT_DURATION_MINUTES } from "../recovery/faults/catalogue";

/** CloudWatch Logs retention values a drill's logs may keep (PutRetentionPolicy `retentionInDays` accepts these among others). */
export const FAULT_LOG_RETENTION_DAYS = [7, 14, 30, 60, 90, 180, 365] as const;

export const faultInjectionSchema = z
  .object({
    /** Declare the templates; default false. */
    enabled: z.boolean({ error: "must be true or false" }).default(false),
    /** Minutes each fault lasts, a whole number from 1 to 120; default 20. */
    durationMinutes: z
      .number({ error: "must be a whole number of minutes" })
      .int({ error: "must be a whole number of minutes" })
      .min(FAULT_DURATION_MINUTES.min, { error: `must be at least ${FAULT_DURATION_MINUTES.min} minute` })
      .max(FAULT_DURATION_MINUTES.max, { error: `must be at most ${FAULT_DURATION_MINUTES.max} minutes: a drill is bounded` })
      .default(FAULT_DURATION_MINUTES.default),
    /** Days to keep experiment logs; default 30. */
    logRetentionDays: z
      .literal(FAULT_LOG_RETENTION_DAYS, { error: `must be one of ${FAULT_LOG_RETENTION_DAYS.join(", ")} days (CloudWatch Logs retention values)` })
      .default(30),
  })
  .strict()
  .default({ enabled: false, durationMinutes: FAULT_DURATION_MINUTES.default, logRetentionDays: 30 });

export type FaultInjectionConfig = z.infer<typeof faultInjectionSchema>;
