/**
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate
 * requests and type responses (`npm run openapi` prints it).
 */
import {
  attachmentDetailSchema,
  deleteResultSchema,
  errorEnvelopeSchema,
  listPageSchema,
  uploadSessionSchema,
} from './attachments/responses.ts';
import {
  legalHoldRequestSchema,
  listQuerySchema,
  uploadRequestSchema,
  uploadSessionRequestSchema,
} from './attachments/schemas.ts';
import * as z from './zod.ts';

const schema = (s: z.core.$ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const json = (ref: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const standardErrors = {
  '401': errorResponse('API key missing, malformed, unknown, revoked or expired'),
  '403': errorResponse('Key valid but not allowed'),
  '500': errorResponse('Unexpected error'),
};

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

function queryParameters(s: typeof listQuerySchema) {
  const properties = schema(s, 'input').properties as Record<string, object>;
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

export function buildOpenApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Media API', version: '1.0.0' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'pf_live_… API key' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        UploadRequest: schema(uploadRequestSchema, 'input'),
        UploadSessionRequest: schema(uploadSessionRequestSchema, 'input'),
        UploadSession: schema(uploadSessionSchema),
        LegalHoldRequest: schema(legalHoldRequestSchema, 'input'),
        Attachment: schema(attachmentDetailSchema),
        ListPage: schema(listPageSchema),
        DeleteResult: schema(deleteResultSchema),
        Error: schema(errorEnvelopeSchema),
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/api/v1/media': {
        get: {
          operationId: 'listMedia',
          summary: 'List media in your workspace, newest first',
          parameters: queryParameters(listQuerySchema),
          responses: {
            '200': json('ListPage', 'A page of attachments'),
            '400': errorResponse('Bad limit, fileType or cursor'),
            ...standardErrors,
          },
        },
        post: {
          operationId: 'uploadMedia',
          summary: 'Upload a media file (base64) to a post you author',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/UploadRequest' } },
            },
          },
          responses: {
            '201': json('Attachment', 'The stored attachment'),
            '400': errorResponse('Invalid request; details.field names the field'),
            '404': errorResponse('Post does not exist in the workspace'),
            '413': errorResponse('File larger than the limit; details.limitBytes/sizeBytes'),
            '415': errorResponse('Type not allowed or bytes do not match mimeType'),
            ...standardErrors,
          },
        },
      },
      '/api/v1/media/{id}': {
        get: {
          operationId: 'getMedia',
          parameters: [idParameter],
          responses: {
            '200': json('Attachment', 'The attachment'),
            '404': errorResponse('Not found or not visible'),
            ...standardErrors,
          },
        },
        delete: {
          operationId: 'deleteMedia',
          parameters: [idParameter],
          responses: {
            '200': json('DeleteResult', 'Deleted; purged after the grace period'),
            '404': errorResponse('Not found or not visible'),
            '409': errorResponse('Under legal hold'),
            ...standardErrors,
          },
        },
      },
      '/api/v1/media/{id}/legal-hold': {
        put: {
          operationId: 'setLegalHold',
          summary: 'Place or lift a legal hold (workspace owners and admins)',
          description:
            'A held attachment cannot be deleted (409) and its file is never removed, also ' +
            'when it was deleted before the hold: it is kept past its grace period until the ' +
            'hold is lifted. Works on a deleted attachment within its grace period.',
          parameters: [idParameter],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/LegalHoldRequest' } },
            },
          },
          responses: {
            '200': json('Attachment', 'The attachment, legalHold updated'),
            '400': errorResponse('The body is not exactly {"enabled": true|false}'),
            '403': errorResponse(
              'Not a workspace owner or admin (checked first), or scope missing',
            ),
            '404': errorResponse('Not found, not visible, or deleted and past its grace period'),
            '401': standardErrors['401'],
            '500': standardErrors['500'],
          },
        },
      },
      '/api/v1/media/{id}/restore': {
        post: {
          operationId: 'restoreMedia',
          summary: 'Restore a deleted attachment within its grace period (owners and admins)',
          description:
            'Returns the attachment exactly as before its deletion: same id, url, metadata and ' +
            'list position.',
          parameters: [idParameter],
          responses: {
            '200': json('Attachment', 'The restored attachment'),
            '403': errorResponse(
              'Not a workspace owner or admin (checked first), or scope missing',
            ),
            '404': errorResponse(
              'Not found, not visible, not deleted, or past its grace period (purged or not)',
            ),
            '401': standardErrors['401'],
            '500': standardErrors['500'],
          },
        },
      },
      '/api/v1/media/uploads': {
        post: {
          operationId: 'createUploadSession',
          summary: 'Start an upload session: send the bytes straight to storage',
          description:
            'For files of any allowed size (the JSON upload is limited by what the platform ' +
            'carries). The type, size and author rules of the JSON upload apply here, before ' +
            'any URL is issued. Send the file with `method` to `uploadUrl` with exactly ' +
            '`headers` and a body of exactly `fileSize` bytes before `expiresAt`, then complete ' +
            'the session.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/UploadSessionRequest' },
              },
            },
          },
          responses: {
            '201': json('UploadSession', 'Where and how to send the file'),
            '400': errorResponse('Invalid request; details.field names the field'),
            '404': errorResponse('Post does not exist in the workspace'),
            '413': errorResponse('fileSize larger than the limit; details.limitBytes/sizeBytes'),
            '415': errorResponse('Type not allowed'),
            ...standardErrors,
          },
        },
      },
      '/api/v1/media/uploads/{uploadId}/complete': {
        post: {
          operationId: 'completeUploadSession',
          summary: 'Verify the uploaded file and store it as an attachment',
          description:
            'Answers like the JSON upload (201). Completing again returns the same attachment ' +
            '(200); a refused session repeats its refusal. Bytes that do not match the declared ' +
            'size, checksum or type are refused and nothing is kept. A session can be completed ' +
            'until 15 minutes after `expiresAt`.',
          parameters: [
            { name: 'uploadId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': json('Attachment', 'Completed before: the same attachment'),
            '201': json('Attachment', 'The stored attachment'),
            '400': errorResponse(
              'Nothing uploaded yet (the session stays open), or size/checksum mismatch',
            ),
            '404': errorResponse('No such session of yours, expired, or the post is gone'),
            '413': errorResponse('The uploaded file is larger than the limit'),
            '415': errorResponse('The bytes are not of the declared type'),
            ...standardErrors,
          },
        },
      },
      '/api/media/uploads/{path}': {
        get: {
          operationId: 'getFile',
          parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The file bytes' },
            '302': { description: 'Redirect to a short-lived signed storage URL' },
            '404': errorResponse('Not found or not visible'),
            ...standardErrors,
          },
        },
      },
      '/api/media/thumbnails/{path}': {
        get: {
          operationId: 'getThumbnail',
          summary:
            "An image's or PDF's (first page) WebP thumbnail (its thumbnailUrl), same rules as the file",
          parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The WebP bytes' },
            '404': errorResponse('Not found or not visible'),
            ...standardErrors,
          },
        },
      },
      '/health': {
        get: { operationId: 'health', security: [], responses: { '200': { description: 'ok' } } },
      },
    },
  };
}
