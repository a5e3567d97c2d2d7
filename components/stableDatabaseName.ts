/**
 * StableDatabaseName: a private hosted zone, associated with one region's VPC, holding the name the
 * app connects to (`db.<zone>`) as a CNAME to the current database. Each region has its own zone of
 * the same name, so the app's configuration is identical in both regions and never resolves across
 * regions.
 *
 * The DR region's name points at the DR database's own writer address in both engine modes, so an
 * unplanned failover needs no DNS change: a promoted read replica keeps its endpoint, and an Aurora
 * secondary cluster's cluster (writer) endpoint exists while the cluster is a secondary but is inactive
 * until Aurora promotes it ("All secondary Regions also have writer endpoints, but they're inactive",
 * AWS Database Blog, "Automate Amazon Aurora Global Database endpoint management"; Aurora User Guide,
 * "Connecting to Amazon Aurora Global Database"). The primary region's name points at the primary
 * stack's database, which after a failover and `npm run reprotect` is the replica that failback
 * promotes (its endpoint kept). So no workflow writes either name (no Route 53 control-plane call on
 * any recovery path), and every deploy sets the record to the stack's database.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** TTL of the database CNAME, seconds: short so a deploy's repoint (a rebuilt replica) takes effect within a minute. */
export const DATABASE_NAME_TTL_SECONDS = 30;

/** The name the app connects to in a private zone; known before the database exists. */
export function stableDatabaseFqdn(zoneName: string): string {
  return `db.${zoneName}`;
}

export interface StableDatabaseNameArgs {
  /** Private zone name, e.g. `app.internal`. */
  zoneName: string;
  vpcId: pulumi.Input<string>;
  /** Region of the VPC. */
  vpcRegion: string;
  /** Current database address the name points at: a DB instance's address or an Aurora cluster's (writer) endpoint. */
  databaseAddress: pulumi.Input<string>;
}

export class StableDatabaseName extends pulumi.ComponentResource {
  /** The name the app uses, `db.<zoneName>`. */
  readonly fqdn: string;
  readonly zoneId: pulumi.Output<string>;

  constructor(name: string, args: StableDatabaseNameArgs, opts?: pulumi.ComponentResourceOptions) {
    super("multi-region-dr:dns:StableDatabaseName", name, {}, opts);
    this.fqdn = stableDatabaseFqdn(args.zoneName);
    const zone = new aws.route53.Zone(
      `${name}-zone`,
      { name: args.zoneName, comment: "Stable database name of this region's database", vpcs: [{ vpcId: args.vpcId, vpcRegion: args.vpcRegion }] },
      { parent: this },
    );
    new aws.route53.Record(
      `${name}-db`,
      { zoneId: zone.zoneId, name: this.fqdn, type: "CNAME", ttl: DATABASE_NAME_TTL_SECONDS, records: [args.databaseAddress] },
      { parent: this },
    );
    this.zoneId = zone.zoneId;
    this.registerOutputs({ fqdn: this.fqdn, zoneId: this.zoneId });
  }
}
