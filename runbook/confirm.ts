/**
 * The confirmation before failover and failback: the operator types the workflow's name
 * (`failover`, `failback`), or `force failover` / `force failback` with `--force`, whose data loss
 * the prompt spells out. `--yes` skips it; without `--yes` it needs a terminal on stdin. A drill
 * (`--live`) asks nothing: it is non-disruptive and rolls itself back. A drill with a real fault
 * (`drill --fault <name> --live`, runbook/faults/drill.ts) asks for the fault's name the same way
 * (`requireTerminal`, `askForPhrase`).
 */
import type { RunbookArguments } from "./arguments";
import { RunbookError } from "./errors";
import type { ExecutionInput } from "./execution";
import type { Output } from "./output";

/** Whether the command must be confirmed (failover and failback that really start, without --yes). */
export function needsConfirmation(args: Pick<RunbookArguments, "workflow" | "dryRun" | "yes">): boolean {
  return args.workflow !== "drill" && !args.dryRun && !args.yes;
}

/** What the operator must type: `failover`, `failback`, `force failover` or `force failback`. */
export function confirmationPhrase(args: Pick<RunbookArguments, "workflow" | "force">): string {
  return args.force ? `force ${args.workflow}` : args.workflow;
}

/**
 * Refuses, before any AWS call, a command that needs confirmation when stdin is not a terminal.
 * @throws RunbookError (exit 1).
 */
export function requireConfirmationPossible(args: Pick<RunbookArguments, "workflow" | "dryRun" | "yes" | "force">, interactive: boolean): void {
  if (!needsConfirmation(args)) return;
  requireTerminal(args.workflow, confirmationPhrase(args), interactive, args.force ? " (with --force: accepting the data loss)" : "");
}

/**
 * Refuses, before any AWS call, to start `what` when stdin is not a terminal on which `phrase` could be typed
 * (the shared refusal of every typed confirmation: workflows here, fault experiments in runbook/faults/drill.ts).
 * @param yesNote appended to the `--yes` hint.
 * @throws RunbookError (exit 1) unless `interactive`.
 */
export function requireTerminal(what: string, phrase: string, interactive: boolean, yesNote = ""): void {
  if (interactive) return;
  throw new RunbookError(
    `Refusing to start ${what} without confirmation: stdin is not a terminal, so "${phrase}" cannot be typed. ` +
      `Run it from a terminal, or pass --yes to confirm on the command line${yesNote}. Nothing was started.`,
  );
}

/**
 * Asks the operator to type `phrase`.
 * @throws RunbookError (exit 1) when the answer (trimmed) is not the phrase: nothing was started.
 */
export async function askForPhrase(phrase: string, prompt: (question: string) => Promise<string>): Promise<void> {
  const answer = (await prompt(`Type "${phrase}" to start it (anything else cancels): `)).trim();
  if (answer !== phrase) throw new RunbookError(`Not confirmed (expected "${phrase}"): nothing was started.`);
}

/** The prompt's explanation: what starts where, with which input, and the data loss --force accepts. */
export function confirmationLines(
  args: Pick<RunbookArguments, "workflow" | "mode" | "force">,
  target: { arn: string; region: string },
  input: ExecutionInput,
): string[] {
  const what =
    args.workflow === "failover"
      ? `FAILOVER (${args.mode}) to ${target.region}: promotes the DR database and moves the application's DNS to ${target.region}.`
      : `FAILBACK from ${target.region} to the primary region: stops writes in ${target.region}, promotes the primary-region replica, moves DNS back.`;
  const lines = [what, `  state machine  ${target.arn}`, `  input          ${JSON.stringify(input)}`];
  if (args.force) {
    lines.push(
      args.workflow === "failover"
        ? "  --force: the replica state and replica lag checks are SKIPPED. Writes the primary accepted that have not reached the DR replica are LOST. You accept this data loss."
        : "  --force: the primary-region replica's lag check is SKIPPED. Writes not yet replicated to the primary region are LOST. You accept this data loss.",
    );
  }
  return lines;
}

/**
 * Asks for the confirmation phrase unless `--yes` (or a dry run, or a drill).
 * @param prompt shows a question and resolves with the answer line.
 * @throws RunbookError (exit 1) when stdin is not a terminal, or the answer is not the phrase.
 */
export async function confirmStart(
  args: Pick<RunbookArguments, "workflow" | "mode" | "force" | "dryRun" | "yes">,
  target: { arn: string; region: string },
  input: ExecutionInput,
  io: { interactive: boolean; prompt: (question: string) => Promise<string>; output: Output },
): Promise<void> {
  if (!needsConfirmation(args)) return;
  requireConfirmationPossible(args, io.interactive);
  for (const line of confirmationLines(args, target, input)) io.output.line(line);
  await askForPhrase(confirmationPhrase(args), io.prompt);
}
