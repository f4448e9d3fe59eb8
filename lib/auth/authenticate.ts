/**
 * Who is calling. Every check is live (strongly consistent reads, nothing cached beyond the
 * request): the key exists, matches, is neither revoked nor expired, and its owner is a member
 * of the key's workspace with the role they have now (media-api.md §1).
 *
 * Two sequential round trips, the least the data allows (the membership's key comes from the
 * API key's record): each also carries what the route reads ahead (`RoutePrefetch`), so a
 * route's own reads mostly find their items already read.
 */
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import { type PrefetchedItems, type RoutePrefetch, withoutPrefetch } from '../db/prefetch.ts';
import { getApiKeyRecord } from '../directory/api-key-records.ts';
import { getMembership } from '../directory/memberships.ts';
import type { Role } from '../directory/model.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { hashesMatch, keyIdOf, presentedApiKey } from './api-keys.ts';
import { hasScope, type Scope } from './scopes.ts';

export interface Caller {
  keyId: string;
  userId: string;
  workspaceId: string;
  role: Role;
  scopes: Scope[];
}

const INVALID_KEY =
  'A valid API key is required: send "Authorization: Bearer pf_live_…" or "X-API-Key".';

export interface AuthenticateOptions {
  now?: number;
  /** Where this request's read-ahead items go (`ctx.prefetched` must be the same object). */
  prefetched?: PrefetchedItems;
  prefetch?: RoutePrefetch;
  /** Runs in parallel with the membership read once the key is valid (e.g. the rate limit). */
  alongsideMembership?: (keyId: string) => Promise<void>;
}

export async function authenticate(
  ctx: TableContext,
  headers: Record<string, string | undefined>,
  options: AuthenticateOptions = {},
): Promise<Caller> {
  const { now = Date.now(), prefetched, prefetch } = options;
  const key = presentedApiKey(headers);
  const keyId = key === null ? null : keyIdOf(key);
  if (key === null || keyId === null) throw new UnauthorizedError(INVALID_KEY);

  await prefetched?.read(ctx, [keys.apiKey(keyId), ...(prefetch?.withKey ?? [])]);
  const record = await getApiKeyRecord(ctx, keyId);
  if (!record || !hashesMatch(key, record.keyHash)) throw new UnauthorizedError(INVALID_KEY);
  if (record.revokedAt !== null) throw new UnauthorizedError('This API key has been revoked.');
  if (record.expiresAt !== null && record.expiresAt <= now) {
    throw new UnauthorizedError('This API key has expired.');
  }

  const membershipRead = async () => {
    const who = { workspaceId: record.workspaceId, userId: record.userId };
    for (const query of prefetch?.queriesWithMembership?.(who) ?? []) {
      prefetched?.startQuery(query.id, () => query.run(withoutPrefetch(ctx)));
    }
    await prefetched?.read(ctx, [
      keys.membership(who.workspaceId, who.userId),
      ...(prefetch?.withMembership?.(who, (itemKey) => prefetched.peek(itemKey)) ?? []),
    ]);
    return getMembership(ctx, who.workspaceId, who.userId);
  };
  const [membership] = await Promise.all([
    membershipRead(),
    options.alongsideMembership?.(record.id),
  ]);
  if (!membership) {
    throw new ForbiddenError("The key's owner is no longer a member of this workspace.");
  }
  return {
    keyId: record.id,
    userId: record.userId,
    workspaceId: record.workspaceId,
    role: membership.role,
    scopes: record.scopes,
  };
}

export function requireScope(caller: Caller, scope: Scope): void {
  if (!hasScope(caller.scopes, scope)) {
    throw new ForbiddenError(`This API key lacks the ${scope} scope.`);
  }
}
