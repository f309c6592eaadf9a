/**
 * Runs a cdk8s app body; a bad prop ends the process with its message, not a stack trace.
 */
export function runApp(body: () => void): void {
  try {
    body();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = 1;
  }
}
