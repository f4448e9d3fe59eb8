/**
 * docs/events.md against the code: one example per event type, each with the type's current
 * version, the envelope's fields, exactly the snapshot's fields and the type's `data` fields;
 * the JSON Schema lists the same types and fields; the EventBridge `source` is the real one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../lib/attachments/model.ts';
import {
  attachmentSnapshot,
  EVENT_SOURCE,
  EVENT_VERSIONS,
  type EventData,
  type EventType,
} from '../../../lib/events/domain-events.ts';

const doc = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');

/** The `data` fields of each type (checked against `EventData` by the compiler). */
const DATA_FIELDS = {
  'media.uploaded': ['attachment'],
  'media.processed': ['attachment'],
  'media.deleted': ['attachment'],
  'media.restored': ['attachment'],
  'media.purged': ['attachment', 'removedBy'],
  'media.legal_hold_changed': ['attachment', 'legalHold'],
  'media.blob_missing': ['attachment', 'missingKeys'],
} as const satisfies { [T in EventType]: readonly (keyof EventData[T])[] };

const SNAPSHOT_FIELDS = Object.keys(
  attachmentSnapshot({ id: 'att_x' } as unknown as Attachment),
).sort();

/** The first ```json block after the heading `### \`<type>\``. */
function exampleOf(type: string): Record<string, unknown> {
  const heading = doc.indexOf(`### \`${type}\``);
  expect(heading, `a section for ${type}`).toBeGreaterThanOrEqual(0);
  const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(heading));
  if (!block?.[1]) throw new Error(`no JSON example for ${type}`);
  return JSON.parse(block[1]) as Record<string, unknown>;
}

describe('docs/events.md', () => {
  const types = Object.keys(EVENT_VERSIONS) as EventType[];

  it('documents every event type, and no other', () => {
    const documented = [...doc.matchAll(/^### `(media\.[a-z_]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...types].sort());
  });

  it.each(types)('%s: the example is a valid envelope of the current version', (type) => {
    const event = exampleOf(type);
    expect(Object.keys(event).sort()).toEqual(
      ['data', 'id', 'time', 'type', 'version', 'workspaceId'].sort(),
    );
    expect(event).toMatchObject({ type, version: EVENT_VERSIONS[type] });
    // v5 (derived from the stream record) for changes, v4 for the orphan sweep's report.
    const version = type === 'media.blob_missing' ? 4 : 5;
    expect(event.id).toMatch(
      new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-${version}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`),
    );
    expect(new Date(event.time as string).toISOString()).toBe(event.time);
    const data = event.data as { attachment: Record<string, unknown> } & Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual([...DATA_FIELDS[type]].sort());
    expect(Object.keys(data.attachment).sort()).toEqual(SNAPSHOT_FIELDS);
    expect(data.attachment.workspaceId).toBe(event.workspaceId);
  });

  it('the JSON Schema names the same types and snapshot fields', () => {
    const block = /```json\n(\{\n {2}"\$schema"[\s\S]*?)\n```/.exec(doc);
    if (!block?.[1]) throw new Error('no JSON Schema block');
    const schema = JSON.parse(block[1]) as {
      properties: { type: { enum: string[] } };
      $defs: { attachment: { required: string[]; properties: Record<string, unknown> } };
    };
    expect([...schema.properties.type.enum].sort()).toEqual([...types].sort());
    expect([...schema.$defs.attachment.required].sort()).toEqual(SNAPSHOT_FIELDS);
    expect(Object.keys(schema.$defs.attachment.properties).sort()).toEqual(SNAPSHOT_FIELDS);
  });

  it('names the EventBridge source the publisher sets', () => {
    expect(doc).toContain(`| \`source\` | \`${EVENT_SOURCE}\` |`);
    expect(doc).toContain(`"source": ["${EVENT_SOURCE}"]`);
  });
});
