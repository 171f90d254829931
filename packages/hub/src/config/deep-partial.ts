/**
 * Any subset of T, at every depth: what callers may pass to checkConfig and the *-config.ts
 * checkers, which fill in the rest. Its own module, importing nothing, so that hub-config.ts (which
 * gathers the sections' types) and the sections' checkers (bridge-config.ts, guard-config.ts) do
 * not import one another in a circle (issue 24).
 */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
