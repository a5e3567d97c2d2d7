/**
 * The monthly cost estimate of one synthesized stack: every resource classified
 * (cost/billableTypes.ts), each fixed one priced in its own region from the dated price data
 * (cost/priceTable.ts, cost/prices/), each usage-billed one listed with its unit. A cost estimate is
 * a report, not a gate: a fixed charge the data has no price for (a region, instance type or DB
 * class not in cost/prices/) is listed as not priced with the reason, and so is a resource whose
 * inputs cannot be priced; estimating never throws for either. Amounts are not rounded here; round
 * when rendering (cost/render.ts).
 */
import type { PlannedResource, StackPlan } from "../synth/recordStack";
import { classificationOf, type Charge, type PricingContext } from "./billableTypes";
import { isMissingPrice, PRICE_TABLE, type PriceTable } from "./priceTable";

/** One priced part of a resource. */
export interface CostLine {
  resourceName: string;
  /** Pulumi type token, e.g. `aws:rds/instance:Instance`. */
  type: string;
  /** The region the price is taken from (the resource's own), or `global`. */
  region: string;
  /** What is charged, e.g. `2 x t3.small on-demand, 730 h`. */
  description: string;
  /** Units a month, e.g. 1460 instance-hours. */
  quantity: number;
  /** The price's unit, e.g. `instance-hour`. */
  unit: string;
  /** US dollars per unit. */
  unitPriceUsd: number;
  /** quantity x unitPriceUsd, US dollars a month, unrounded. */
  monthlyUsd: number;
  /** Whether the unit price was read on a pricing page (see cost/priceTable.ts). */
  priceVerified: boolean;
  /** The AWS pricing page of the unit price. */
  priceSource: string;
}

/** A fixed charge without a price: what it is, how much of it, and why it has no price. */
export interface UnpricedCharge {
  resourceName: string;
  type: string;
  /** The region the price would be taken from (the resource's own), or `global`. */
  region: string;
  /** What is charged, e.g. `3 x t3.xlarge on-demand, 730 h`; for a resource that could not be priced at all, `every fixed charge of the resource`. */
  description: string;
  /** Units a month, when known. */
  quantity?: number;
  /** The price's unit, e.g. `instance-hour`, when known. */
  unit?: string;
  /** Why there is no price and how to add one, e.g. `no EC2 on-demand price for t3.xlarge in eu-west-3 (...); add it with npm run prices:update ...`. */
  reason: string;
}

/** A usage-billed part of a resource: not estimated. */
export interface UsageBasedCost {
  resourceName: string;
  type: string;
  /** The billing unit, e.g. `per GB replicated across regions`. */
  unit: string;
}

/** The monthly cost estimate of one stack. */
export interface CostEstimate {
  stack: string;
  /** The stack's region (its resources may be priced in others: see each line's region). */
  region: string;
  /** The price table's date. */
  asOf: string;
  lines: CostLine[];
  /** Fixed charges without a price: the total leaves them out. */
  unpriced: UnpricedCharge[];
  usageBased: UsageBasedCost[];
  /** Sum of the priced lines, US dollars a month, unrounded; unpriced fixed charges and usage-based costs come on top. */
  totalMonthlyUsd: number;
}

/** True when the estimate's total leaves out fixed charges it has no price for. */
export function isPartial(estimate: CostEstimate): boolean {
  return estimate.unpriced.length > 0;
}

/** A charge as a priced line, or as an unpriced one when the data lacks its price. */
function lineOf(resource: PlannedResource, charge: Charge): CostLine | UnpricedCharge {
  const common = { resourceName: resource.name, type: resource.type, region: resource.region, description: charge.description, quantity: charge.quantity };
  if (isMissingPrice(charge.price)) return { ...common, unit: charge.price.unit, reason: charge.price.reason };
  return {
    ...common,
    unit: charge.price.unit,
    unitPriceUsd: charge.price.usd,
    monthlyUsd: charge.quantity * charge.price.usd,
    priceVerified: charge.price.verified,
    priceSource: charge.price.source,
  };
}

/**
 * Estimates a stack's monthly cost at on-demand list prices, 730 hours a month. Never throws for
 * the data or the resources: a charge without a price, a resource type that is not classified
 * (cost/billableTypes.ts) and a resource whose inputs cannot be priced (e.g. a DynamoDB table in
 * provisioned capacity mode) are each listed in `unpriced` with the reason.
 * @param table the price table; default the repository's PRICE_TABLE (cost/prices/).
 */
export function estimateMonthlyCost(plan: StackPlan, table: PriceTable = PRICE_TABLE): CostEstimate {
  const context: PricingContext = { plan, table };
  const lines: CostLine[] = [];
  const unpriced: UnpricedCharge[] = [];
  const usageBased: UsageBasedCost[] = [];
  for (const resource of plan.resources) {
    try {
      const classification = classificationOf(resource, plan.project);
      if (classification.kind === "free") continue;
      if (classification.kind === "usage") {
        const units = classification.units?.(resource, context) ?? [classification.unit];
        for (const unit of units) usageBased.push({ resourceName: resource.name, type: resource.type, unit });
        continue;
      }
      for (const charge of classification.charges(resource, context)) {
        const line = lineOf(resource, charge);
        if ("reason" in line) unpriced.push(line);
        else lines.push(line);
      }
      for (const unit of classification.usage?.(resource, context) ?? []) usageBased.push({ resourceName: resource.name, type: resource.type, unit });
    } catch (error) {
      unpriced.push({
        resourceName: resource.name,
        type: resource.type,
        region: resource.region,
        description: "every fixed charge of the resource",
        reason: `cannot be priced: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return {
    stack: plan.stack,
    region: plan.region,
    asOf: table.asOf,
    lines,
    unpriced,
    usageBased,
    totalMonthlyUsd: lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
  };
}

/**
 * One estimate's total as a share of another's, e.g. the DR stack's of the primary's: 0.25 for 25%.
 * The share is partial (`isPartial`) when either estimate has unpriced fixed charges.
 * @returns undefined when the whole costs nothing (no share to give).
 */
export function costShare(part: CostEstimate, whole: CostEstimate): number | undefined {
  return whole.totalMonthlyUsd > 0 ? part.totalMonthlyUsd / whole.totalMonthlyUsd : undefined;
}
