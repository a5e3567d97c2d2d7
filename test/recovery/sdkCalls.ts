/**
 * Helpers the recovery tests share for reading what the mocked AWS SDK clients
 * (aws-sdk-client-mock) were called with and how promises settled.
 */

/** The region of the client an SDK call was sent through. */
export async function regionOf(call: { thisValue: unknown }): Promise<string> {
  return (call.thisValue as { config: { region: () => Promise<string> } }).config.region();
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
