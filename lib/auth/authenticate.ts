/**
 * Who is calling. Every check is live (strongly consistent reads, nothing cached beyond the
 * request): the key exists, matches, is neither revoked nor expired, and its owner is a member
 * of the key's workspace with the role they have now (media-api.md §1).
 */
import type { TableContext } from '../db/client.ts';
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

export async function authenticate(
  ctx: TableContext,
  headers: Record<string, string | undefined>,
  now = Date.now(),
): Promise<Caller> {
  const key = presentedApiKey(headers);
  const keyId = key === null ? null : keyIdOf(key);
  if (key === null || keyId === null) throw new UnauthorizedError(INVALID_KEY);

  const record = await getApiKeyRecord(ctx, keyId);
  if (!record || !hashesMatch(key, record.keyHash)) throw new UnauthorizedError(INVALID_KEY);
  if (record.revokedAt !== null) throw new UnauthorizedError('This API key has been revoked.');
  if (record.expiresAt !== null && record.expiresAt <= now) {
    throw new UnauthorizedError('This API key has expired.');
  }

  const membership = await getMembership(ctx, record.workspaceId, record.userId);
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
