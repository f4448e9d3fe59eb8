/**
 * Legal holds: `PUT /api/v1/media/{id}/legal-hold` and the admin CLI's `media legal-hold`.
 *
 * A hold lives on the record (`legalHold`, which also takes a deleted attachment off TTL and
 * out of the purge queue) and in storage (an Object Lock legal hold on AWS, a hold marker
 * locally), so that neither the API, nor the purge, nor S3 lifecycle removes a held file.
 *
 * The storage hold must never be weaker than the record's, even when an "on" and an "off"
 * race (the two stores cannot be written atomically):
 * - on:  storage on → record on → storage on again;
 * - off: record off → storage off → read the record, and if it is held again (an "on" landed
 *        meanwhile) → storage on.
 * Whichever record write is last, the last storage write after it agrees with it (when "on"
 * is last) or errs on the side of holding (when "off" is last and an "on" was in flight: the
 * file keeps a storage hold nobody asked for, which the orphan sweep reports, but nothing is
 * lost). A crash between the steps leaves the same safe side, and repeating the request
 * completes it.
 */
import { canManageRetention, type Viewer } from '../../auth/permissions.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { isId } from '../../ids.ts';
import { logger } from '../../logger.ts';
import { parseRequest } from '../../validation.ts';
import type { Attachment } from '../model.ts';
import { attachmentNotFound, findVisibleAttachment, presentAttachment } from '../read/read.ts';
import { getAttachment, mayHold, writeLegalHold } from '../records.ts';
import { legalHoldRequestSchema } from '../schemas.ts';
import { type LifecycleDeps, nowOf, setFilesLegalHold } from '../stored-files.ts';

/** Legal holds and restores are for workspace owners and admins, decided before any lookup. */
export function assertMayManageRetention(viewer: Viewer): void {
  if (!canManageRetention(viewer)) {
    throw new ForbiddenError(
      'Only workspace owners and admins can manage legal holds and restores.',
    );
  }
}

/** How often a hold is re-decided when the record keeps changing under it. */
const MAX_ATTEMPTS = 5;

const graceOver = (attachment: Attachment) =>
  new NotFoundError(
    `Attachment ${attachment.id} was deleted and its grace period ended at ` +
      `${new Date(attachment.purgeAfter ?? 0).toISOString()}; its legal hold can no longer ` +
      'be changed.',
  );

/**
 * Places or lifts the hold on `found` (read by the caller, in the caller's workspace) and
 * returns the attachment as it is now. 404 when a hold can no longer be placed (deleted and
 * past its grace period, or purged).
 */
export async function applyLegalHold(
  deps: LifecycleDeps,
  found: Attachment,
  enabled: boolean,
): Promise<Attachment> {
  const now = nowOf(deps);
  if (!mayHold(found, enabled, now)) throw graceOver(found);
  if (enabled) await setFilesLegalHold(deps.store, found, true);

  let current: Attachment | null = found;
  let written: Extract<Awaited<ReturnType<typeof writeLegalHold>>, { outcome: 'written' }>;
  for (let attempt = 1; ; attempt++) {
    if (!current || !mayHold(current, enabled, now)) {
      if (enabled) await releaseUnwantedHold(deps, found);
      throw current ? graceOver(current) : attachmentNotFound(found.id);
    }
    const write = await writeLegalHold(deps.table, current, enabled, now);
    if (write.outcome === 'written') {
      written = write;
      break;
    }
    if (write.outcome === 'gone') {
      if (enabled) await releaseUnwantedHold(deps, found);
      throw current.deletedAt === null ? attachmentNotFound(found.id) : graceOver(current);
    }
    // Deleted or restored since we read it: decide again on what it is now.
    if (attempt >= MAX_ATTEMPTS) throw new Error(`legal hold on ${found.id}: record kept changing`);
    current = await getAttachment(deps.table, found.id);
  }

  const { attachment } = written;
  if (enabled) {
    await setFilesLegalHold(deps.store, attachment, true);
  } else {
    await setFilesLegalHold(deps.store, attachment, false);
    const latest = await getAttachment(deps.table, attachment.id);
    if (latest?.legalHold) await setFilesLegalHold(deps.store, latest, true);
  }
  // `media.legal_hold_changed` follows from the record write when it changed the hold.
  return attachment;
}

/**
 * The storage hold was placed but the record refused the hold: lift it again unless the
 * record is held after all. Best effort; a leftover storage hold only keeps a file longer.
 */
async function releaseUnwantedHold(deps: LifecycleDeps, attachment: Attachment): Promise<void> {
  try {
    const current = await getAttachment(deps.table, attachment.id);
    if (!current?.legalHold) await setFilesLegalHold(deps.store, attachment, false);
  } catch (error) {
    logger.error('could not lift a storage hold the record refused', {
      attachmentId: attachment.id,
      error: error as Error,
    });
  }
}

/** `PUT /api/v1/media/{id}/legal-hold` with `{"enabled": boolean}` → the attachment as in get. */
export async function setMediaLegalHold(
  deps: LifecycleDeps,
  viewer: Viewer,
  id: string,
  body: unknown,
) {
  assertMayManageRetention(viewer);
  const { enabled } = parseRequest(legalHoldRequestSchema, body);
  const { attachment, post } = await findVisibleAttachment(deps.table, viewer, id, {
    includeDeleted: true,
  });
  const held = await applyLegalHold(deps, attachment, enabled);
  return presentAttachment(deps.table, held, post);
}

/** The admin CLI's `media legal-hold`: any workspace, no visibility rules (operators). */
export async function setLegalHoldById(
  deps: LifecycleDeps,
  id: string,
  enabled: boolean,
): Promise<Attachment> {
  const attachment = isId('attachment', id) ? await getAttachment(deps.table, id) : null;
  if (!attachment) throw attachmentNotFound(id);
  return applyLegalHold(deps, attachment, enabled);
}
