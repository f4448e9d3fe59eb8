/**
 * The state of an upload, kept so that an interrupted one can be finished later
 * (`MediaClient.resumeUpload`). Plain JSON: it can be written to a file or `localStorage`.
 *
 * What "resume" means with this API: an upload session has ONE presigned PUT, which storage
 * either stores whole or not at all, so there are no partial bytes to continue from. Resuming
 * keeps everything that was already settled:
 * - the session (`uploadId`), so no second session or staged copy is made;
 * - the PUT is repeated while its URL is valid (`expiresAt`), and skipped once it succeeded;
 * - completing is repeated as often as needed: the API answers a completed session with the
 *   same attachment (so a lost answer is never a duplicate);
 * - the request that creates the attachment or the session is repeated with the same
 *   `Idempotency-Key`, so the API replays its first answer instead of acting twice;
 * - when the URL has expired before the bytes arrived, or the session is gone (expired,
 *   unknown), a new session is started with a new key.
 */
export interface ResumableUpload {
  postId: string;
  fileName: string;
  mimeType: string;
  /** Size and SHA-256 (hex) of the bytes: a resume must be given the same ones. */
  fileSize: number;
  sha256: string;
  width?: number;
  height?: number;
  duration?: number;
  /** `json`: one `POST /api/v1/media`; `session`: `POST /api/v1/media/uploads` + PUT + complete. */
  via: 'json' | 'session';
  /** Sent with the request that creates the attachment (json) or the session. */
  idempotencyKey: string;
  /** The session, once created. */
  session?: {
    uploadId: string;
    uploadUrl: string;
    method: string;
    headers: Record<string, string>;
    /** Epoch ms after which `uploadUrl` accepts no upload. */
    expiresAt: number;
    /** The PUT succeeded: the bytes are in storage, only completing is left. */
    sent: boolean;
  };
}
