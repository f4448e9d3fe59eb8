export { type CallOptions, MediaClient, type MediaClientOptions } from './client.ts';
export {
  type ErrorEnvelope,
  MediaApiError,
  UploadInterruptedError,
} from './errors.ts';
export { DEFAULT_LIMITS, type MediaLimits } from './limits.ts';
export { DEFAULT_RETRY_POLICY, type RetryEvent, type RetryPolicy } from './retry.ts';
export type { FetchLike } from './transport.ts';
export type {
  Attachment,
  DeleteResult,
  FileType,
  ListItem,
  ListPage,
  ListQuery,
  UploadSession,
} from './types.ts';
export type { ResumeOptions, UploadOptions, UploadProgress } from './upload.ts';
export type { UploadSource } from './upload-source.ts';
export type { ResumableUpload } from './upload-state.ts';
