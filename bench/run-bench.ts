/**
 * How every bench script runs its `main`: a failure is logged and exits non-zero; whatever it
 * started (Kratos, hubs, databases, Redis keys) is cleaned up once, in order, on the way out and
 * on Ctrl-C; then the process exits even if a stray handle stays open.
 */
export function runBench(main: () => Promise<void>, cleanups: (() => Promise<unknown>)[], log: (s: string) => void): void {
  let cleaning = false;
  const cleanup = async () => {
    if (cleaning) return;
    cleaning = true;
    for (const c of cleanups) await c().catch((err: Error) => log(`cleanup: ${err.message}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  main()
    .catch((err: Error) => {
      log(`failed: ${err.stack ?? err.message}`);
      process.exitCode = 1;
    })
    .finally(() => cleanup().then(() => setTimeout(() => process.exit(), 200).unref()));
}
