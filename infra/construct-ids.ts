/** `health` → `Health`, `list-media` → `ListMedia`: construct ids from function names. */
export const pascal = (name: string): string =>
  name.replace(/(^|[-_])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
