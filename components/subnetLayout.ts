/**
 * How a VPC block is carved into subnets: each availability zone gets a quarter of the block
 * (prefix + 2, so up to 4 zones), and inside its quarter a private subnet of half the quarter
 * (prefix + 3) for the app tier and the cluster, a public subnet of an eighth (prefix + 5) for the
 * load balancer and NAT, and an isolated subnet of an eighth (prefix + 5) for the database.
 * AWS subnets may be /16 to /28 (Amazon VPC User Guide, "Subnet CIDR blocks").
 */

/** Subnet prefix lengths for a VPC block of the given prefix length. */
export interface SubnetLayout {
  availabilityZoneCidrMask: number;
  privateCidrMask: number;
  publicCidrMask: number;
  isolatedCidrMask: number;
}

/**
 * @param vpcPrefixLength the VPC block's prefix length, 16 to 20.
 * @throws RangeError when the prefix is outside 16-20 (a /20 leaves /25 public subnets, the
 *   smallest an ALB accepts with room to scale: it needs at least 8 free addresses per subnet).
 */
export function subnetLayout(vpcPrefixLength: number): SubnetLayout {
  if (!Number.isInteger(vpcPrefixLength) || vpcPrefixLength < 16 || vpcPrefixLength > 20) {
    throw new RangeError(`VPC prefix length must be 16 to 20, got ${vpcPrefixLength}`);
  }
  return {
    availabilityZoneCidrMask: vpcPrefixLength + 2,
    privateCidrMask: vpcPrefixLength + 3,
    publicCidrMask: vpcPrefixLength + 5,
    isolatedCidrMask: vpcPrefixLength + 5,
  };
}
