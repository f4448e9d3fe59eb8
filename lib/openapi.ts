/**
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate
 * requests and type responses (`npm run openapi` prints it).
 */
import { z } from 'zod';
import {
  attachmentDetailSchema,
  deleteResultSchema,
  errorEnvelopeSchema,
  listPageSchema,
  listQuerySchema,
  uploadRequestSchema,
} from './attachments/schemas.ts';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
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
      '/health': {
        get: { operationId: 'health', security: [], responses: { '200': { description: 'ok' } } },
      },
    },
  };
}
