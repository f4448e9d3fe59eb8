/**
 * What each route of `lib/http/routes.ts` is, for the OpenAPI description: keyed by the
 * route key (`METHOD path`). `document.ts` refuses a route without an entry here and an entry
 * without a route, so the two cannot drift.
 */
import { MEDIA_TYPES } from '../media/media-types.ts';
import type { HeaderUse, ResponseSpec } from './responses.ts';
import { type JsonSchema, listQueryParameters, type SchemaName } from './schemas.ts';

export type Tag = 'Media' | 'Retention' | 'Upload sessions' | 'Files' | 'Service';

export const TAGS: Record<Tag, string> = {
  Media: 'Attachments of posts: list, upload, read, delete, and the limits that apply.',
  Retention: 'Legal holds and restores of deleted attachments (workspace owners and admins).',
  'Upload sessions': 'Files of any allowed size, sent straight to storage.',
  Files:
    'The stored files and thumbnails themselves (the `url` and `thumbnailUrl` of attachments).',
  Service: 'Health and the description of this API; no key needed.',
};

export interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  tag: Tag;
  /** Omitted: public (no key). */
  keyed?: boolean;
  parameters?: Parameter[];
  /** The JSON body it takes. */
  body?: SchemaName;
  /** Its own answers (success and specific errors); the shared ones are added. */
  responses: Record<string, ResponseSpec>;
}

type Parameter =
  | { $ref: string }
  | {
      name: string;
      in: 'path' | 'query' | 'header';
      required: boolean;
      description: string;
      schema: JsonSchema;
    };

const pathParameter = (name: string, description: string, schema: JsonSchema): Parameter => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

const attachmentId = pathParameter('id', 'The attachment id (`att_…`).', {
  type: 'string',
  pattern: '^att_[0-9a-z]+$',
});

const ifNoneMatch: Parameter = { $ref: '#/components/parameters/IfNoneMatch' };

/** `{year}/{month}/{day}/{file}` of a file URL. */
function fileSegments(file: JsonSchema): Parameter[] {
  return [
    pathParameter('year', 'UTC year of the upload.', { type: 'string', pattern: '^[0-9]{4}$' }),
    pathParameter('month', 'UTC month of the upload, two digits.', {
      type: 'string',
      pattern: '^[0-9]{2}$',
    }),
    pathParameter('day', 'UTC day of the upload, two digits.', {
      type: 'string',
      pattern: '^[0-9]{2}$',
    }),
    pathParameter(
      'file',
      'The file name: the attachment id without `att_`, and an extension.',
      file,
    ),
  ];
}

const FILE_NAME = { type: 'string', pattern: '^[0-9a-z]+\\.[0-9a-z]+$' };
const THUMBNAIL_NAME = { type: 'string', pattern: '^[0-9a-z]+-[0-9a-z]+\\.webp$' };

/** Every type a stored file can have, as the bodies of a file response. */
const storedFileContent = (): Record<string, JsonSchema> =>
  Object.fromEntries(
    MEDIA_TYPES.map((type) => [
      type.canonicalMimeType,
      { type: 'string', contentMediaType: type.canonicalMimeType },
    ]),
  );
const thumbnailContent = (): Record<string, JsonSchema> => ({
  'image/webp': { type: 'string', contentMediaType: 'image/webp' },
});

const FILE_HEADERS: HeaderUse[] = [
  'ETag',
  'Vary',
  'AcceptRanges',
  'ContentDisposition',
  'ContentSecurityPolicy',
  'ContentTypeOptions',
  'CrossOriginResourcePolicy',
];

/** GET and HEAD of a file or thumbnail route. */
function fileOperations(
  kind: 'file' | 'thumbnail',
  content: () => Record<string, JsonSchema>,
): Record<'GET' | 'HEAD', OperationSpec> {
  const what =
    kind === 'file' ? 'a stored file' : "an image's or PDF's (first page) WebP thumbnail";
  const name = kind === 'file' ? 'File' : 'Thumbnail';
  const parameters = [
    ...fileSegments(kind === 'file' ? FILE_NAME : THUMBNAIL_NAME),
    ifNoneMatch,
    { $ref: '#/components/parameters/Range' },
  ];
  const notFound: ResponseSpec = {
    description: 'No such file, or its attachment is deleted or not visible to the caller.',
  };
  const common = {
    tag: 'Files' as const,
    keyed: true,
    parameters,
  };
  const responses = (withBody: boolean): Record<string, ResponseSpec> => ({
    '200': {
      description: `The bytes of ${what}.`,
      ...(withBody ? { content: content() } : {}),
      headers: FILE_HEADERS,
    },
    '206': {
      description: 'The requested byte range (one range per request).',
      ...(withBody ? { content: content() } : {}),
      headers: [...FILE_HEADERS, 'ContentRange'],
    },
    ...(kind === 'file'
      ? {
          '300': {
            description:
              'A file larger than the API answers itself (4 MB), asked for with `X-API-Key`: ' +
              'its signed storage URL (valid 60 seconds) in the body, and no `Location`, so no ' +
              'client follows it with the key header (fetch and curl forward custom headers to ' +
              'another origin). Fetch `url` without any key header.',
            json: 'DownloadLink',
            headers: [
              'ETag',
              'ContentSecurityPolicy',
              'ContentTypeOptions',
              'CrossOriginResourcePolicy',
            ],
          },
          '302': {
            description:
              'A file larger than the API answers itself (4 MB), asked for with ' +
              '`Authorization: Bearer`: a redirect to a signed storage URL valid for 60 seconds ' +
              '(clients drop `Authorization` on a redirect to another origin). Storage serves ' +
              'it with the same type, as a download (`Content-Disposition: attachment`).',
            headers: [
              'Location',
              'ETag',
              'ContentSecurityPolicy',
              'ContentTypeOptions',
              'CrossOriginResourcePolicy',
            ],
          },
        }
      : {}),
    '304': {
      description: '`If-None-Match` matches: the copy the client has is current.',
      headers: ['ETag', 'Vary'],
    },
    '404': notFound,
    '416': {
      description: 'The range is outside the file (`Content-Range: bytes */size`).',
      headers: ['ContentRange'],
    },
  });
  return {
    GET: {
      ...common,
      operationId: kind === 'file' ? 'getFile' : 'getThumbnail',
      summary: `Download ${what}`,
      description:
        `${kind === 'file' ? 'The `url` of an attachment' : 'The `thumbnailUrl` of an attachment'}` +
        ': same key and the same live visibility as `GET /api/v1/media/{id}`. Served so that ' +
        'nothing in it can run in the API origin (`nosniff`, a sandbox CSP, and ' +
        '`Content-Disposition: attachment` for SVG and PDF). Its URL never changes meaning, so ' +
        'it may be cached (`immutable`) and revalidated with its strong `ETag`.',
      responses: responses(true),
    },
    HEAD: {
      ...common,
      operationId: `head${name}`,
      summary: `Headers of ${what}`,
      description: 'Answered like GET, without the body.',
      responses: responses(false),
    },
  };
}

const files = fileOperations('file', storedFileContent);
const thumbnails = fileOperations('thumbnail', thumbnailContent);

const attachmentNotFound: ResponseSpec = {
  description: 'No such attachment, deleted, in another workspace, or its post is not visible.',
};

const retentionForbidden: ResponseSpec = {
  description:
    'Not a workspace owner or admin (checked first, whatever the body), or no `media:write`.',
};

const created = (description: string): ResponseSpec => ({
  description,
  json: 'Attachment',
  headers: ['Location'],
});

export const OPERATIONS: Record<string, OperationSpec> = {
  'GET /health': {
    operationId: 'health',
    summary: 'Health of the API and its stores',
    description: '200 when the API, its table and its bucket answer; 503 otherwise.',
    tag: 'Service',
    responses: {
      '200': { description: 'The API and both stores answer.', json: 'Health' },
      '503': { description: 'A store does not answer.', json: 'Health' },
    },
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDescription',
    summary: 'This description',
    description:
      'The OpenAPI 3.1 description of this API, exact for every route, status, body and header.',
    tag: 'Service',
    responses: {
      '200': {
        description: 'The OpenAPI document.',
        content: { 'application/json': { type: 'object' } },
      },
    },
  },
  'GET /docs': {
    operationId: 'getApiReference',
    summary: 'Interactive API reference',
    description: 'An HTML page that renders this description (works offline: no CDN).',
    tag: 'Service',
    responses: {
      '200': {
        description: 'The page.',
        content: { 'text/html': { type: 'string' } },
        headers: ['ContentSecurityPolicy', 'ContentTypeOptions'],
      },
    },
  },
  'GET /docs/{asset}': {
    operationId: 'getApiReferenceAsset',
    summary: 'A script or stylesheet of the API reference page',
    description: 'Served from the renderer package shipped with the API.',
    tag: 'Service',
    parameters: [
      pathParameter('asset', 'The file.', {
        type: 'string',
        enum: ['swagger-ui-bundle.js', 'swagger-ui.css', 'reference.js'],
      }),
    ],
    responses: {
      '200': {
        description: 'The file.',
        content: {
          'text/javascript': { type: 'string' },
          'text/css': { type: 'string' },
        },
        headers: ['ContentTypeOptions'],
      },
      '404': { description: 'No such asset.' },
    },
  },
  'GET /api/v1/media': {
    operationId: 'listMedia',
    summary: 'List media in your workspace',
    description:
      'Newest first (`createdAt`, then `id`, descending). Only attachments whose post the ' +
      'caller can see now are listed; walking all pages returns each of them exactly once.',
    tag: 'Media',
    keyed: true,
    parameters: listQueryParameters() as Parameter[],
    responses: {
      '200': { description: 'A page of attachments.', json: 'ListPage' },
      '400': {
        description:
          'Bad `limit` or `fileType` (`validation_error`), or bad `cursor` (`invalid_cursor`).',
      },
    },
  },
  'POST /api/v1/media': {
    operationId: 'uploadMedia',
    summary: 'Upload a media file to a post',
    description:
      'The file travels base64 in the JSON body (deployed: up to `maxJsonUploadBytes` of ' +
      '`GET /api/v1/media/limits`; larger files use an upload session). The caller must be ' +
      "the post's author when the attachment is committed. Width, height and duration come " +
      'from the file where it tells them, else from the request.',
    tag: 'Media',
    keyed: true,
    body: 'UploadRequest',
    responses: {
      '201': created('The stored attachment.'),
      '403': { description: "Not the post's author, post not visible, or no `media:write`." },
      '404': { description: 'The post does not exist in the workspace (or is deleted).' },
      '413': {
        description:
          'The file is larger than the limit (`details.limitBytes`, `details.sizeBytes`).',
      },
      '415': {
        description:
          'The type is not allowed (video and 3D models go through the web interface), the ' +
          'bytes are not of the declared type, or the body is not `application/json`.',
      },
    },
  },
  'GET /api/v1/media/limits': {
    operationId: 'getMediaLimits',
    summary: 'Limits that apply to uploads and lists',
    description: 'Upload sizes, allowed types per `fileType`, page sizes and the rate limit.',
    tag: 'Media',
    keyed: true,
    responses: { '200': { description: 'The limits of this deployment.', json: 'Limits' } },
  },
  'GET /api/v1/media/{id}': {
    operationId: 'getMedia',
    summary: 'Get one attachment',
    description:
      'The attachment with its uploader, its post and its legal hold. Its strong `ETag` ' +
      'changes whenever the representation does (a thumbnail appears, a hold changes).',
    tag: 'Media',
    keyed: true,
    parameters: [attachmentId, ifNoneMatch],
    responses: {
      '200': { description: 'The attachment.', json: 'Attachment', headers: ['ETag'] },
      '304': { description: '`If-None-Match` matches: unchanged.', headers: ['ETag'] },
      '404': attachmentNotFound,
    },
  },
  'HEAD /api/v1/media/{id}': {
    operationId: 'headMedia',
    summary: 'Headers of one attachment',
    description: 'Answered like GET, without the body (e.g. to revalidate an `ETag`).',
    tag: 'Media',
    keyed: true,
    parameters: [attachmentId, ifNoneMatch],
    responses: {
      '200': { description: 'The attachment exists and is visible.', headers: ['ETag'] },
      '304': { description: '`If-None-Match` matches: unchanged.', headers: ['ETag'] },
      '404': attachmentNotFound,
    },
  },
  'DELETE /api/v1/media/{id}': {
    operationId: 'deleteMedia',
    summary: 'Delete one attachment',
    description:
      'It leaves lists and reads at once; its file is purged after the grace period (7 days ' +
      'by default), until when a workspace owner or admin can restore it.',
    tag: 'Media',
    keyed: true,
    parameters: [attachmentId],
    responses: {
      '200': { description: 'Deleted; `purgeAfter` says when it is purged.', json: 'DeleteResult' },
      '403': {
        description:
          "Not the post's current author nor a workspace admin/owner, or no `media:write`.",
      },
      '404': attachmentNotFound,
      '409': { description: 'Under legal hold: nothing changed.' },
    },
  },
  'PUT /api/v1/media/{id}/legal-hold': {
    operationId: 'setLegalHold',
    summary: 'Place or lift a legal hold',
    description:
      'A held attachment cannot be deleted (409) and its file is never removed, also when it ' +
      'was deleted before the hold. Works on a deleted attachment within its grace period.',
    tag: 'Retention',
    keyed: true,
    parameters: [attachmentId],
    body: 'LegalHoldRequest',
    responses: {
      '200': { description: 'The attachment, `legalHold` updated.', json: 'Attachment' },
      '400': { description: 'The body is not exactly `{"enabled": true|false}`.' },
      '403': retentionForbidden,
      '404': { description: 'Not found, not visible, or deleted and past its grace period.' },
    },
  },
  'POST /api/v1/media/{id}/restore': {
    operationId: 'restoreMedia',
    summary: 'Restore a deleted attachment',
    description:
      'Within the grace period: the attachment returns exactly as before its deletion (same ' +
      'id, url, metadata and list position).',
    tag: 'Retention',
    keyed: true,
    parameters: [attachmentId],
    responses: {
      '200': { description: 'The restored attachment.', json: 'Attachment' },
      '403': retentionForbidden,
      '404': { description: 'Not found, not visible, not deleted, or past its grace period.' },
    },
  },
  'POST /api/v1/media/uploads': {
    operationId: 'createUploadSession',
    summary: 'Start an upload session',
    description:
      'For files of any allowed size. The type, size and author rules of the JSON upload ' +
      'apply here, before any URL is issued. Send the file with `method` to `uploadUrl` with ' +
      'exactly `headers` and a body of exactly `fileSize` bytes before `expiresAt`, then ' +
      'complete the session.',
    tag: 'Upload sessions',
    keyed: true,
    body: 'UploadSessionRequest',
    responses: {
      '201': {
        description: 'Where and how to send the file.',
        json: 'UploadSession',
        headers: ['Location'],
      },
      '403': { description: "Not the post's author, post not visible, or no `media:write`." },
      '404': { description: 'The post does not exist in the workspace (or is deleted).' },
      '413': { description: '`fileSize` is larger than the limit (`details.limitBytes`).' },
      '415': { description: 'The type is not allowed, or the body is not `application/json`.' },
    },
  },
  'POST /api/v1/media/uploads/{uploadId}/complete': {
    operationId: 'completeUploadSession',
    summary: 'Complete an upload session',
    description:
      'Verifies the uploaded bytes and stores them as an attachment (201, like the JSON ' +
      'upload). Completing again returns the same attachment (200); a refused session repeats ' +
      'its refusal. A session can be completed until 15 minutes after `expiresAt`.',
    tag: 'Upload sessions',
    keyed: true,
    parameters: [
      pathParameter('uploadId', 'The `uploadId` of the session.', { type: 'string', minLength: 1 }),
    ],
    responses: {
      '200': {
        description: 'Completed before: the same attachment.',
        json: 'Attachment',
        headers: ['Location'],
      },
      '201': created('The stored attachment.'),
      '400': {
        description:
          'Nothing uploaded yet (the session stays open), or a size or checksum mismatch.',
      },
      '403': { description: "No longer the post's author, or no `media:write`." },
      '404': { description: 'No such session of yours, expired, or the post is gone.' },
      '413': { description: 'The uploaded file is larger than the limit.' },
      '415': { description: 'The bytes are not of the declared type.' },
    },
  },
  'GET /api/media/uploads/{year}/{month}/{day}/{file}': files.GET,
  'HEAD /api/media/uploads/{year}/{month}/{day}/{file}': files.HEAD,
  'GET /api/media/thumbnails/{year}/{month}/{day}/{file}': thumbnails.GET,
  'HEAD /api/media/thumbnails/{year}/{month}/{day}/{file}': thumbnails.HEAD,
};
