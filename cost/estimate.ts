/**
 * The monthly cost estimate of one synthesized stack: every resource classified
 * (cost/billableTypes.ts), each fixed one priced in its own region from the dated price table
 * (cost/priceTable.ts), each usage-billed one listed with its unit. Amounts are not rounded here;
 * round when rendering (cost/render.ts).
 */
import type { StackPlan } from "../synth/recordStack";
import { classificationOf, type PricingContext } from "./billableTypes";
import { PRICE_TABLE, type PriceTable } from "./priceTable";

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
  usageBased: UsageBasedCost[];
  /** Sum of the lines, US dollars a month, unrounded; usage-based costs come on top. */
  totalMonthlyUsd: number;
}

/** Adds the stack and resource to a pricing error's message, keeping its class. */
function withResourceContext(error: unknown, stack: string, type: string, name: string): unknown {
  if (error instanceof Error) error.message = `stack ${stack}, ${type} ${name}: ${error.message}`;
  return error;
}

/**
 * Estimates a stack's monthly cost at on-demand list prices, 730 hours a month.
 * @param table the price table; default the repository's PRICE_TABLE.
 * @throws UnclassifiedTypeError (cost/billableTypes.ts) naming a resource type that is not classified.
 * @throws MissingPriceError (cost/priceTable.ts) naming the region and the instance type, DB class or key without a price.
 * @throws Error when a resource's inputs cannot be priced (e.g. an RDS replica whose engine cannot be told, a
 *   DynamoDB table in provisioned capacity mode), its message prefixed with the stack, type and resource.
 */
export function estimateMonthlyCost(plan: StackPlan, table: PriceTable = PRICE_TABLE): CostEstimate {
  const context: PricingContext = { plan, table };
  const lines: CostLine[] = [];
  const usageBased: UsageBasedCost[] = [];
  for (const resource of plan.resources) {
    const classification = classificationOf(resource, plan.project);
    if (classification.kind === "free") continue;
    try {
      if (classification.kind === "usage") {
        const units = classification.units?.(resource, context) ?? [classification.unit];
        for (const unit of units) usageBased.push({ resourceName: resource.name, type: resource.type, unit });
        continue;
      }
      for (const charge of classification.charges(resource, context)) {
        lines.push({
          resourceName: resource.name,
          type: resource.type,
          region: resource.region,
          description: charge.description,
          quantity: charge.quantity,
          unit: charge.price.unit,
          unitPriceUsd: charge.price.usd,
          monthlyUsd: charge.quantity * charge.price.usd,
          priceVerified: charge.price.verified,
          priceSource: charge.price.source,
        });
      }
      for (const unit of classification.usage?.(resource, context) ?? []) usageBased.push({ resourceName: resource.name, type: resource.type, unit });
    } catch (error) {
      throw withResourceContext(error, plan.stack, resource.type, resource.name);
    }
  }
  return {
    stack: plan.stack,
    region: plan.region,
    asOf: table.asOf,
    lines,
    usageBased,
    totalMonthlyUsd: lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
  };
}

/**
 * One estimate's total as a share of another's, e.g. the DR stack's of the primary's: 0.25 for 25%.
 * @returns undefined when the whole costs nothing (no share to give).
 */
export function costShare(part: CostEstimate, whole: CostEstimate): number | undefined {
  return whole.totalMonthlyUsd > 0 ? part.totalMonthlyUsd / whole.totalMonthlyUsd : undefined;
}
