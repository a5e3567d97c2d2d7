/**
 * Program-wide conventions shared by the components, the DR invariants and the policy pack. Pure
 * constants (no Pulumi import), so the policy pack can load them without the program's runtime.
 */

/** Path the ALB, Route 53 and operators use to check the app. */
export const HEALTH_CHECK_PATH = "/health";

/** TLS policy for HTTPS listeners: TLS 1.3 with TLS 1.2 fallback (Security Hub ELB.17). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The KMS key days AWS waits before deleting a scheduled key: 7-30; we use the maximum (KMS "Deleting keys"). */
export const KEY_DELETION_WINDOW_DAYS = 30;
