/** The bucket's key space: attachment bytes, their thumbnails, upload-session staging. */
export const STORAGE_PREFIXES = {
  uploads: 'uploads/',
  thumbnails: 'thumbnails/',
  staging: 'staging/',
} as const;
