export const SCOPES = ['media:read', 'media:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** `media:write` implies `media:read` (media-api.md §1). */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  if (granted.includes(needed)) return true;
  return needed === 'media:read' && granted.includes('media:write');
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
