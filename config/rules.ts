/**
 * Small pure rules used by config validation. Each returns `undefined` when the value is fine, or a
 * message that says what is wrong and how to fix it. Each rule cites the AWS or Pulumi source of the
 * constraint it encodes.
 */
import { Netmask } from "netmask";
import { LOAD_BALANCER_ALIAS_TTL_SECONDS } from "../budget/figures";

/** Dotted IPv4 without leading zeros (which parsers read as octal) and a prefix length. */
const IPV4_CIDR = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(\d{1,2})$/;

/**
 * A VPC CIDR block: dotted IPv4 with a prefix length from 16 to 20, no host bits set.
 * AWS allows VPC blocks from /16 to /28 (Amazon VPC User Guide, "VPC CIDR blocks"); this program
 * carves three subnet tiers per zone out of it (see `subnetLayout`), which needs /20 or larger.
 */
export function vpcCidrProblem(cidr: string): string | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return "is not an IPv4 CIDR block (four decimal octets without leading zeros and a prefix); write it like 10.0.0.0/16";
  let net: Netmask;
  try {
    net = new Netmask(cidr);
  } catch (error) {
    return `is not a valid IPv4 CIDR block (${(error as Error).message}); write it like 10.0.0.0/16`;
  }
  const prefix = Number(match[5]);
  if (prefix < 16 || prefix > 20) {
    return `has prefix /${prefix}; a VPC here needs a prefix from /16 (AWS's largest) to /20 (room for three subnet tiers per zone)`;
  }
  const address = cidr.split("/")[0];
  if (net.base !== address) return `has host bits set; use ${net.base}/${prefix}`;
  return undefined;
}

/** True when two valid IPv4 CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const first = new Netmask(a);
  const second = new Netmask(b);
  return first.contains(second.base) || second.contains(first.base);
}

const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-[a-z]+-\d{1,2}$/;

/** An AWS commercial or GovCloud region code such as `us-east-1` (AWS General Reference, "Regions"). */
export function regionProblem(region: string): string | undefined {
  return AWS_REGION.test(region) ? undefined : "is not an AWS region code; use one like us-east-1 or eu-west-1";
}

const STACK_PART = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * A fully qualified Pulumi stack name `<organization>/<project>/<stack>`, as `StackReference` takes it
 * (Pulumi docs, "Stack references"; self-managed backends use the literal organization `organization`).
 * Parts use letters, digits, `-`, `_` and `.`; a stack name is at most 100 characters.
 */
export function stackNameProblem(name: string): string | undefined {
  const parts = name.split("/");
  const wellFormed = parts.length === 3 && parts.every((part) => STACK_PART.test(part) && part.length <= 100);
  return wellFormed ? undefined : "is not a fully qualified stack name; write <organization>/<project>/<stack>, e.g. organization/multi-region-dr/primary";
}

/** Instance families that AWS no longer offers for new EC2 instances (EC2 "Previous generation instances"). */
const RETIRED_EC2_FAMILIES = new Set(["t1", "m1", "m2", "m3", "c1", "c3", "cc2", "cr1", "g2", "hi1", "hs1", "i2", "r3"]);

/** An EC2 instance type such as `t3.small`, not of a retired family. */
export function ec2InstanceTypeProblem(instanceType: string): string | undefined {
  const match = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)$/.exec(instanceType);
  if (!match) return "is not an EC2 instance type; write family.size, e.g. t3.small";
  if (RETIRED_EC2_FAMILIES.has(match[1])) {
    return `is of the retired family ${match[1]}; pick a current generation type such as t3.small or m7i.large`;
  }
  return undefined;
}

/** DB instance families that RDS no longer offers for current engine versions (RDS "Supported DB engines for DB instance classes"). */
const RETIRED_RDS_FAMILIES = new Set(["t1", "t2", "m1", "m2", "m3", "m4", "r3", "r4"]);

/** An RDS DB instance class such as `db.t4g.medium`, not of a retired family. */
export function dbInstanceClassProblem(instanceClass: string): string | undefined {
  const match = /^db\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/.exec(instanceClass);
  if (!match) return "is not an RDS instance class; write db.family.size, e.g. db.t4g.medium";
  if (RETIRED_RDS_FAMILIES.has(match[1])) {
    return `is of the retired family db.${match[1]}; pick a current class such as db.t4g.medium or db.m7g.large`;
  }
  return undefined;
}

/**
 * The CPU architecture an EC2 instance type runs: `arm64` for Graviton families (a `g` after the
 * generation digit, e.g. t4g, m7g, c7gn, and a1), otherwise `x86_64` (EC2 "Instance type naming").
 */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/**
 * Resource tag rules (AWS "Tagging AWS resources"): keys 1-128 characters, values up to 256, keys may
 * not start with the reserved prefix `aws:`.
 */
export function tagProblem(key: string, value: string): string | undefined {
  if (key.length < 1 || key.length > 128) return "tag keys must be 1 to 128 characters long";
  if (key.toLowerCase().startsWith("aws:")) return "tag keys may not start with the reserved prefix aws:; rename the key";
  if (value.length > 256) return "tag values must be at most 256 characters long";
  return undefined;
}

/**
 * A DNS name for Route 53 (RFC 1035 as Route 53 applies it): labels of letters, digits and hyphens,
 * 1-63 characters each, at least two labels, at most 253 characters, no trailing dot.
 */
export function dnsNameProblem(name: string): string | undefined {
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  const labels = name.split(".");
  if (name.length > 253 || labels.length < 2 || !labels.every((part) => label.test(part))) {
    return "is not a lower-case DNS name such as dr.example.com (no trailing dot)";
  }
  return undefined;
}

/**
 * DNS failover must finish inside the RTO: Route 53 needs `interval x failureThreshold` seconds to
 * declare the primary unhealthy, and resolvers may keep the old answer for the alias TTL (DR
 * invariant 4). Used by config validation and by the invariant check on synthesized stacks.
 * @returns undefined when detection plus TTL is below the RTO, else what is wrong and how to fix it.
 */
export function failoverDetectionProblem(intervalSeconds: number, failureThreshold: number, rtoSeconds: number): string | undefined {
  const detectionSeconds = intervalSeconds * failureThreshold;
  if (detectionSeconds + LOAD_BALANCER_ALIAS_TTL_SECONDS < rtoSeconds) return undefined;
  return (
    `health-check detection (${intervalSeconds} s x ${failureThreshold} = ${detectionSeconds} s) plus the ${LOAD_BALANCER_ALIAS_TTL_SECONDS} s alias TTL ` +
    `does not fit the ${rtoSeconds} s RTO; lower the interval or threshold, or raise recovery.rtoSeconds`
  );
}

/**
 * True when a CIDR block has a prefix length of 0 however it is spelt (`0.0.0.0/0`, `10.0.0.0/0`,
 * `::/0`, `0.0.0.0/00`): it admits the whole internet. Operator networks must never be one
 * (Security Hub EKS.1 and EC2.18).
 */
export function coversWholeInternet(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}
