/**
 * Unknown values are left out of stored items rather than written as DynamoDB NULL, so that
 * `attribute_not_exists(x)` and `if_not_exists(x, …)` mean "x is unknown". Readers map a
 * missing attribute back to `null`.
 */
export function withoutNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as Partial<T>;
}
