/**
 * Attachment records for tests that need many of them (listing) or full control over one
 * (processing): a complete, valid record with sensible defaults, any field overridable.
 */
import { type Attachment, storageKeyFor } from '../../lib/attachments/model.ts';
import { newId } from '../../lib/ids.ts';

export function attachmentRecord(
  fields: Pick<Attachment, 'workspaceId' | 'postId' | 'uploaderId'> & Partial<Attachment>,
): Attachment {
  const id = fields.id ?? newId('attachment');
  const createdAt = fields.createdAt ?? Date.now();
  const fileType = fields.fileType ?? 'image';
  return {
    id,
    fileName: `${id}.png`,
    originalFileName: `${id}.png`,
    fileType,
    mimeType: fileType === 'audio' ? 'audio/mpeg' : 'image/png',
    fileSize: 10,
    sha256: '0'.repeat(64),
    storageKey: storageKeyFor(id, createdAt, 'png'),
    thumbnailKey: null,
    width: null,
    height: null,
    duration: null,
    createdAt,
    legalHold: false,
    deletedAt: null,
    purgeAfter: null,
    ...fields,
  };
}
