/** Names for the shapes of the generated OpenAPI types (`generated/openapi.ts`). */
import type { components } from './generated/openapi.ts';

type Schemas = components['schemas'];

/** An attachment as get, upload, restore and legal-hold answer it. */
export type Attachment = Schemas['Attachment'];
export type ListPage = Schemas['ListPage'];
/** An attachment as a list page shows it. */
export type ListItem = ListPage['items'][number];
export type FileType = ListItem['fileType'];
export type DeleteResult = Schemas['DeleteResult'];
export type UploadSession = Schemas['UploadSession'];

/**
 * The list filters. Written out rather than taken from the description, which types `limit`
 * as a string (it describes the raw query string).
 */
export interface ListQuery {
  postId?: string;
  fileType?: FileType;
  /** Items per page, 1–100 (the API's default: 50). */
  limit?: number;
}
