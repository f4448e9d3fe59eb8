/** Reading settings from the environment, shared by the runtime config and the local scripts. */

/** A boolean setting: `true` or `false`; unset or empty means `fallback`. */
export function booleanFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

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
