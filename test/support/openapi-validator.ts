/**
 * Checks a real response against the OpenAPI description the API serves: its status must be
 * described for the operation, every required header present, every header described (and of
 * its schema), and its body of a described media type and schema. `api()` runs this on every
 * response of the integration suite, so the description cannot drift from what the API does.
 * The schemas are checked by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../lib/openapi/document.ts';

type Json = Record<string, unknown>;
type Document = ReturnType<typeof buildOpenApiDocument>;

/** Headers of the transport, not of the API: never described. */
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

interface Operation {
  responses: Record<string, Json>;
}

interface Matched {
  path: string;
  /** Lower-case methods → operation. */
  operations: Record<string, Operation>;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export class ResponseValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ path: string; pattern: RegExp; params: number }>;

  constructor(private readonly document: Document) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as unknown as Json, 'openapi.json');
    this.templates = Object.keys(document.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (path.match(/\{/g) ?? []).length,
    }));
  }

  static forMaxUploadBytes(maxUploadBytes: number): ResponseValidator {
    return new ResponseValidator(buildOpenApiDocument({ maxUploadBytes }));
  }

  private match(rawPath: string): Matched | undefined {
    const hit = this.templates
      .filter((template) => template.pattern.test(rawPath))
      .sort((a, b) => a.params - b.params)[0];
    if (!hit) return undefined;
    return {
      path: hit.path,
      operations:
        (this.document.paths as Record<string, Record<string, Operation>>)[hit.path] ?? {},
    };
  }

  private validatorAt(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  /** Problems with this response (empty when it matches the description). */
  check(
    request: { method: string; path: string },
    response: { status: number; headers: Headers; text: string },
  ): string[] {
    const rawPath = request.path.split('?')[0] ?? '';
    const method = request.method.toLowerCase();
    const matched = this.match(rawPath);
    if (!matched) {
      return response.status === 404 ? [] : [`no described path matches ${rawPath}`];
    }
    let operation = matched.operations[method];
    let operationPointer = `/paths/${escapePointer(matched.path)}/${method}`;
    if (!operation) {
      // A method the path does not take: the adapter's 405, as every operation describes it.
      if (response.status !== 405)
        return [`${method.toUpperCase()} ${matched.path} is not described`];
      const [other, otherOperation] = Object.entries(matched.operations)[0] ?? [];
      if (!otherOperation) return [];
      operation = otherOperation;
      operationPointer = `/paths/${escapePointer(matched.path)}/${other}`;
    }
    const where = `${request.method} ${rawPath} → ${response.status}`;
    const described = operation.responses[String(response.status)];
    if (!described) return [`${where}: status not described`];
    const pointer = `${operationPointer}/responses/${response.status}`;
    return [
      ...this.checkHeaders(where, pointer, described, response.headers),
      ...this.checkBody(where, pointer, described, method, response),
    ].map((problem) => `${where}: ${problem}`);
  }

  private checkHeaders(
    _where: string,
    pointer: string,
    described: Json,
    headers: Headers,
  ): string[] {
    const problems: string[] = [];
    const declared = new Map(
      Object.entries((described.headers ?? {}) as Record<string, Json>).map(([name, header]) => [
        name.toLowerCase(),
        { name, header },
      ]),
    );
    for (const [name, { header, name: spelled }] of declared) {
      const value = headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${spelled} missing`);
        continue;
      }
      const schema = header.schema as Json;
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
      const validate = this.validatorAt(`${pointer}/headers/${escapePointer(spelled)}/schema`);
      if (!validate(typed))
        problems.push(`header ${spelled}: ${this.ajv.errorsText(validate.errors)}`);
    }
    headers.forEach((_value, name) => {
      if (!TRANSPORT_HEADERS.has(name) && !declared.has(name)) {
        problems.push(`header ${name} is not described`);
      }
    });
    return problems;
  }

  private checkBody(
    _where: string,
    pointer: string,
    described: Json,
    method: string,
    response: { status: number; headers: Headers; text: string },
  ): string[] {
    const content = described.content as Record<string, Json> | undefined;
    if (method === 'head' || !content) {
      return response.text === '' ? [] : ['a body where none is described'];
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!Object.hasOwn(content, type)) {
      return [
        `content type ${type || '(none)'} not described (${Object.keys(content).join(', ')})`,
      ];
    }
    if (type !== 'application/json') return [];
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      return ['body is not JSON'];
    }
    const validate = this.validatorAt(`${pointer}/content/${escapePointer(type)}/schema`);
    return validate(body) ? [] : [`body: ${this.ajv.errorsText(validate.errors)}`];
  }
}
