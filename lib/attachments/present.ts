/** The JSON shapes of media-api.md §2, built from records in one place. */
import type { Post, User } from '../directory/model.ts';
import { type Attachment, fileUrlOf } from './model.ts';
import type { AttachmentDetail, ListItem } from './responses.ts';

/**
 * The record fields a list item is made of: all a list reads from an index entry. An index
 * that projects less than every attribute (docs/capacity.md, "lean projection") must project
 * these; a field `toListItem` reads and this list lacks does not compile.
 */
export const LIST_ITEM_FIELDS = [
  'id',
  'postId',
  'fileName',
  'originalFileName',
  'fileType',
  'fileSize',
  'mimeType',
  'storageKey',
  'thumbnailKey',
  'placeholder',
  'metadataRemoved',
  'width',
  'height',
  'duration',
  'createdAt',
] as const satisfies readonly (keyof Attachment)[];

export function toListItem(
  attachment: Pick<Attachment, (typeof LIST_ITEM_FIELDS)[number]>,
): ListItem {
  return {
    id: attachment.id,
    postId: attachment.postId,
    fileName: attachment.fileName,
    originalFileName: attachment.originalFileName,
    fileType: attachment.fileType,
    fileSize: attachment.fileSize,
    // Stored records only ever hold a canonical type (resolveDeclaredType).
    mimeType: attachment.mimeType as ListItem['mimeType'],
    url: fileUrlOf(attachment.storageKey),
    thumbnailUrl: attachment.thumbnailKey ? fileUrlOf(attachment.thumbnailKey) : null,
    placeholder: attachment.placeholder ?? null,
    metadataRemoved: attachment.metadataRemoved ?? [],
    width: attachment.width,
    height: attachment.height,
    duration: attachment.duration,
    createdAt: attachment.createdAt,
  };
}

export function toAuthor(user: User | null): AttachmentDetail['author'] {
  return user && { id: user.id, name: user.name, email: user.email, image: user.image };
}

/** Upload and get responses: the list item plus its uploader, its post and its hold state. */
export function toAttachmentDetail(
  attachment: Attachment,
  uploader: User | null,
  post: Post,
): AttachmentDetail {
  return {
    ...toListItem(attachment),
    author: toAuthor(uploader),
    post: { id: post.id, title: post.title },
    legalHold: attachment.legalHold,
  };
}
