/** The JSON shapes of media-api.md §2, built from records in one place. */
import type { Post, User } from '../directory/model.ts';
import { type Attachment, fileUrlOf } from './model.ts';
import type { AttachmentDetail, ListItem } from './responses.ts';

export function toListItem(attachment: Attachment): ListItem {
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
