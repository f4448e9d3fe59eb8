/**
 * `components.schemas`: JSON Schemas generated from the zod schemas that validate requests
 * (`lib/attachments/schemas.ts`) and type responses (`lib/attachments/responses.ts`), so a
 * field added there appears here without anyone touching the description.
 */
import {
  attachmentDetailSchema,
  deleteResultSchema,
  downloadLinkSchema,
  errorEnvelopeSchema,
  healthSchema,
  limitsSchema,
  listItemSchema,
  listPageSchema,
  uploadSessionSchema,
} from '../attachments/responses.ts';
import {
  legalHoldRequestSchema,
  listQuerySchema,
  uploadRequestSchema,
  uploadSessionRequestSchema,
} from '../attachments/schemas.ts';
import { errorCodesFor } from '../errors.ts';
import * as z from '../zod.ts';

export type JsonSchema = Record<string, unknown>;

/**
 * Requests are described as what they accept (`input`), responses and query parameters as
 * what they are after parsing (`output`: `limit` is the integer 1–100 it parses to).
 */
export function jsonSchemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

export interface SchemaOptions {
  /** The deployment's largest upload: the bound of every `fileSize`. */
  maxUploadBytes: number;
}

/** Sets `maximum` on a top-level `fileSize` property (the limit is configuration, not schema). */
function withFileSizeMaximum(schema: JsonSchema, maxUploadBytes: number): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const fileSize = properties?.fileSize;
  if (!properties || !fileSize) return schema;
  return {
    ...schema,
    properties: { ...properties, fileSize: { ...fileSize, maximum: maxUploadBytes } },
  };
}

export function schemaComponents({ maxUploadBytes }: SchemaOptions) {
  const listItem = withFileSizeMaximum(jsonSchemaOf(listItemSchema, 'output'), maxUploadBytes);
  const listPage = jsonSchemaOf(listPageSchema, 'output');
  (listPage.properties as Record<string, JsonSchema>).items = {
    type: 'array',
    items: { $ref: '#/components/schemas/ListItem' },
  };
  return {
    ListItem: listItem,
    ListPage: listPage,
    Attachment: withFileSizeMaximum(jsonSchemaOf(attachmentDetailSchema, 'output'), maxUploadBytes),
    UploadRequest: jsonSchemaOf(uploadRequestSchema, 'input'),
    UploadSessionRequest: jsonSchemaOf(uploadSessionRequestSchema, 'input'),
    UploadSession: jsonSchemaOf(uploadSessionSchema, 'output'),
    LegalHoldRequest: jsonSchemaOf(legalHoldRequestSchema, 'input'),
    DeleteResult: jsonSchemaOf(deleteResultSchema, 'output'),
    DownloadLink: jsonSchemaOf(downloadLinkSchema, 'output'),
    Limits: jsonSchemaOf(limitsSchema, 'output'),
    Health: jsonSchemaOf(healthSchema, 'output'),
    Error: jsonSchemaOf(errorEnvelopeSchema, 'output'),
  } satisfies Record<string, JsonSchema>;
}

export type SchemaName = keyof ReturnType<typeof schemaComponents>;

export const schemaRef = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

/** The error envelope, its `code` narrowed to the codes answered with `status`. */
export function errorSchemaFor(status: number): JsonSchema {
  return {
    allOf: [
      schemaRef('Error'),
      {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string', enum: errorCodesFor(status) } },
          },
        },
      },
    ],
  };
}

/** `GET /api/v1/media` query parameters, from the schema that parses them. */
export function listQueryParameters() {
  const output = jsonSchemaOf(listQuerySchema, 'output');
  return Object.entries(output.properties as Record<string, JsonSchema>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    description: (schema.description as string | undefined) ?? name,
    schema,
  }));
}
