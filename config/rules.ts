/**
 * Small pure rules used by config validation. Each returns `undefined` when the value is fine, or a
 * message that says what is wrong and how to fix it. Each rule cites the AWS or Pulumi source of the
 * constraint it encodes.
 */
import { Netmask } from "netmask";
import { LOAD_BALANCER_ALIAS_TTL_SECONDS } from "../budget/figures";
import { closestNames, suggestionText } from "./closestNames";
import { COMMERCIAL_REGIONS, DB_INSTANCE_CLASSES, EC2_INSTANCE_TYPES, partitionOf, PROVIDER_REGIONS } from "./names";

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

/** What to offer when no valid name is close to a misspelt region. */
const REGION_EXAMPLES = "use one like us-east-1 or eu-west-1";

/**
 * An AWS region code of the commercial `aws` partition that the AWS provider knows, such as
 * `us-east-1`: checked against @pulumi/aws's own `Region` list (`COMMERCIAL_REGIONS`), not a pattern.
 * Regions of other partitions (`cn-*`, `us-gov-*`, `us-iso*`, `eu-isoe-*`, `eusc-*`) are refused:
 * both stacks of the DR pair and their cross-region replication must sit in one partition (AWS
 * whitepaper "AWS Fault Isolation Boundaries", "Partitions",
 * https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html), and
 * this program is built and tested for the commercial one. Such a region is named as what it is, not
 * offered a commercial look-alike as if it were a typo (`cn-north-1` is not a misspelt `eu-north-1`):
 * the closest commercial names are offered only for a value that is no region of any partition and
 * has no other partition's prefix.
 * @returns undefined for a known commercial region; otherwise what is wrong, with the closest valid names for a typo.
 */
export function regionProblem(region: string): string | undefined {
  if (COMMERCIAL_REGIONS.includes(region)) return undefined;
  const partition = partitionOf(region);
  if (partition !== "aws") {
    const what = PROVIDER_REGIONS.has(region) ? `is a region of the ${partition} partition` : `has the prefix of the ${partition} partition`;
    return (
      `${what}, which this program does not support: it deploys to the commercial aws partition only, where both stacks ` +
      `and their cross-region replication must be; use a commercial region such as us-east-1 or eu-west-1`
    );
  }
  const suggestions = suggestionText(closestNames(region, COMMERCIAL_REGIONS), REGION_EXAMPLES);
  return `is not an AWS region code of the commercial partition (the AWS provider's Region list)${suggestions}`;
}

/**
 * An ACM certificate for a load balancer listener must be in the load balancer's region: "Certificates
 * in ACM are regional resources. To use a certificate with Elastic Load Balancing for the same fully
 * qualified domain name (FQDN) or set of FQDNs in more than one AWS region, you must request or import
 * a certificate for each region ... You cannot copy a certificate between regions" (ACM User Guide,
 * "Supported Regions", https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html). The app's
 * ALB and Grafana's load balancer are in the stack's region, so a certificate of another region
 * fails the listener's creation (and the DR region's copy must be its own certificate anyway).
 * @param arn a well-formed ACM certificate ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`).
 * @param region the stack's region, aws:region.
 * @returns undefined when the certificate is of `region`; otherwise what is wrong and how to fix it.
 */
export function certificateRegionProblem(arn: string, region: string): string | undefined {
  const certificateRegion = arn.split(":")[3];
  if (certificateRegion === undefined || certificateRegion === region) return undefined;
  return (
    `is an ACM certificate of ${certificateRegion}, but aws:region is ${region}: a load balancer listener takes only a certificate ` +
    `of its own region (ACM certificates are regional and cannot be copied between regions: ACM User Guide, "Supported Regions"); ` +
    `request or import the certificate in ${region} and use that ARN`
  );
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

/**
 * Instance families that AWS no longer offers for new EC2 instances, though the provider still lists
 * them (EC2 "Previous generation instances": first-generation and cluster-compute families).
 */
const RETIRED_EC2_FAMILIES = new Set(["t1", "m1", "m2", "m3", "c1", "c3", "cc1", "cc2", "cg1", "cr1", "g2", "hi1", "hs1", "i2", "r3"]);

/** The family of an instance type or DB class: `t3` of `t3.small`, `r6g` of `db.r6g.large`. */
function familyOf(name: string): string {
  return name.replace(/^db\./, "").split(".")[0];
}

/** EC2 types worth suggesting: known to the provider and not of a retired family. */
const CURRENT_EC2_TYPES: readonly string[] = [...EC2_INSTANCE_TYPES].filter((type) => !RETIRED_EC2_FAMILIES.has(familyOf(type)));

/**
 * An EC2 instance type the AWS provider knows (`aws.ec2.InstanceType`, e.g. `t3.small`, `m7i.large`,
 * `c7g.xlarge`) and not of a retired family. A known type without a price in the cost data is fine
 * here (the cost estimate reports it).
 * @returns undefined when valid; otherwise what is wrong, with the closest valid names for an unknown type.
 */
export function ec2InstanceTypeProblem(instanceType: string): string | undefined {
  if (EC2_INSTANCE_TYPES.has(instanceType)) {
    const family = familyOf(instanceType);
    return RETIRED_EC2_FAMILIES.has(family) ? `is of the retired family ${family}; pick a current generation type such as t3.small or m7i.large` : undefined;
  }
  const suggestions = suggestionText(closestNames(instanceType, CURRENT_EC2_TYPES), "write family.size, e.g. t3.small or m7i.large");
  return `is not an EC2 instance type the AWS provider knows (aws.ec2.InstanceType)${suggestions}`;
}

/** DB instance families that RDS no longer offers for current engine versions (RDS "Supported DB engines for DB instance classes"). */
const RETIRED_RDS_FAMILIES = new Set(["t1", "t2", "m1", "m2", "m3", "m4", "r3", "r4"]);

/** DB classes worth suggesting: valid by name and not of a retired family. */
const CURRENT_DB_CLASSES: readonly string[] = [...DB_INSTANCE_CLASSES].filter(
  (instanceClass) => !RETIRED_RDS_FAMILIES.has(familyOf(instanceClass)) && !RETIRED_EC2_FAMILIES.has(familyOf(instanceClass)),
);

/**
 * An RDS DB instance class known by name (`DB_INSTANCE_CLASSES` in config/names.ts: an EC2 type of
 * `aws.ec2.InstanceType` with `db.` in front, the provider's `aws.rds.InstanceType`, or an RDS-only
 * class such as `db.serverless` or `db.x2g.large`), not of a retired family. Whether the engine and
 * mode can run it is checked separately ({@link instanceModeClassProblem}, `auroraInstanceClassProblem`).
 * @returns undefined when valid; otherwise what is wrong, with the closest valid names for an unknown class.
 */
export function dbInstanceClassProblem(instanceClass: string): string | undefined {
  if (DB_INSTANCE_CLASSES.has(instanceClass)) {
    const family = familyOf(instanceClass);
    return RETIRED_RDS_FAMILIES.has(family) || RETIRED_EC2_FAMILIES.has(family)
      ? `is of the retired family db.${family}; pick a current class such as db.t4g.medium or db.m7g.large`
      : undefined;
  }
  if (DB_INSTANCE_CLASSES.has(`db.${instanceClass}`)) return `is an EC2 instance type, not a DB instance class; write db.${instanceClass}`;
  const suggestions = suggestionText(closestNames(instanceClass, CURRENT_DB_CLASSES), "write db.family.size, e.g. db.t4g.medium or db.r7g.large");
  return `is not an RDS DB instance class (an EC2 type of aws.ec2.InstanceType with db. in front, or an RDS-only class)${suggestions}`;
}

/**
 * The class can run an RDS DB instance (engine mode `instance`): `db.serverless` is Aurora
 * Serverless v2 only (Aurora User Guide, "Supported DB engines for DB instance classes"), so RDS
 * for PostgreSQL and MySQL refuse it.
 * @returns undefined when it can; otherwise what is wrong and how to fix it.
 */
export function instanceModeClassProblem(instanceClass: string): string | undefined {
  if (instanceClass !== "db.serverless") return undefined;
  return "is Aurora Serverless v2, which an RDS DB instance cannot run: pick a provisioned class such as db.t4g.medium or db.r7g.large";
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

/** Second-level names reserved for documentation (RFC 2606 section 3; RFC 6761 section 6.5). */
const RESERVED_EXAMPLE_DOMAINS = ["example.com", "example.net", "example.org"] as const;
/** Top-level names reserved for testing, examples, invalid names and loopback (RFC 2606 section 2; RFC 6761 sections 6.2-6.5). */
const RESERVED_TOP_LEVEL_DOMAINS = ["test", "example", "invalid", "localhost"] as const;

/**
 * A public zone name under a reserved domain: `example.com`, `example.net`, `example.org` and their
 * subdomains, or anything under the top-level `.test`, `.example`, `.invalid` or `.localhost`
 * (RFC 2606 "Reserved Top Level DNS Names", https://www.rfc-editor.org/rfc/rfc2606; RFC 6761
 * "Special-Use Domain Names", section 6, https://www.rfc-editor.org/rfc/rfc6761; IANA "Special-Use
 * Domain Names" registry). Route 53 refuses to create a hosted zone for such a name:
 * CreateHostedZone fails with `InvalidDomainName: example.com is reserved by AWS!` (boto/boto#2098,
 * "Removed example.com from Route53 tests": "now produces InvalidDomainError responses";
 * aws-samples/sample-agentic-value-accelerator#126: "example.com is IANA-reserved (RFC 2606);
 * Route 53 rejects it with InvalidDomainName"). No offline check sees it, so it would fail the first
 * `pulumi up`, after the networks and databases were already being created.
 *
 * Applied to the public zone only (`dns.zoneName`). The private zone (`dns.privateZoneName`,
 * default `app.internal`) is not checked: `.internal` is not among these names (ICANN reserved it in
 * 2024 for exactly this private use), and AWS's own guide creates private hosted zones named
 * example.com ("Working with private hosted zones",
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html), a name that
 * never has to resolve outside the VPC.
 * @param name a zone name that already passed `dnsNameProblem` (lower case, no trailing dot).
 * @returns undefined for a name outside the reserved ones; otherwise which reserved name it is under and what to set.
 */
export function reservedDomainProblem(name: string): string | undefined {
  const normalized = name.trim().toLowerCase().replace(/\.$/, "");
  const topLevel = normalized.split(".").pop() ?? "";
  const reserved = (RESERVED_TOP_LEVEL_DOMAINS as readonly string[]).includes(topLevel)
    ? `the top-level domain .${topLevel}`
    : RESERVED_EXAMPLE_DOMAINS.find((domain) => normalized === domain || normalized.endsWith(`.${domain}`));
  if (reserved === undefined) return undefined;
  return (
    `is under ${reserved}, a name reserved for documentation and testing (RFC 2606, RFC 6761): Route 53 refuses to create a hosted zone for it ` +
    `("InvalidDomainName: ... is reserved by AWS"), and no one can delegate it to this stack; set dns.zoneName to a domain (or subdomain) you own, ` +
    `or set dns.hostedZoneId to an existing public hosted zone and dns.zoneName to that zone's name`
  );
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
