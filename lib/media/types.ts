/** The file kinds of media-api.md §2; the allowlist of MIME types lives in `media-types.ts`. */
export const FILE_TYPES = ['image', 'audio', 'document', 'lottie'] as const;
export type FileType = (typeof FILE_TYPES)[number];
