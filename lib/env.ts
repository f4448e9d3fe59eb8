/** Reading settings from the environment, shared by the runtime config and the local scripts. */

/** An integer setting; unset or empty means `fallback`, anything malformed stops the process. */
export function intFromEnv<T extends number | undefined>(
  name: string,
  fallback: T,
  { min = 1 } = {},
): number | T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}
