/**
 * What domain code may say while it works. The runner implementation lives in action-kit;
 * tests and the CLI pass their own, so core never imports the runner.
 */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  /** Groups collapse in the Actions log; elsewhere they are a heading. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>
}

/** A Logger that keeps quiet; handy in tests and for library callers that want no output. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warning() {},
  group: (_title, work) => work()
}
