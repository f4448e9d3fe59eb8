/**
 * Every DynamoDB write of every deployed function is key-scoped: its IAM statement carries a
 * `ForAllValues:StringLike` condition on `dynamodb:LeadingKeys` listing only the partitions of
 * the items that function writes. The table below is the review: a function that gains a
 * write, an item kind, an unconditioned statement or a new function fails here until the row
 * says so. Read from the synthesized template, so what is checked is what deploys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { asList, type Statement, statementsOf } from './iam.ts';
import { type CfnTemplate, removeAssemblies, synthStack } from './synth.ts';

afterAll(removeAssemblies);

type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';
type Writes = Partial<Record<WriteAction, string[]>>;

/** The API key's rate-limit counter: every authenticated route. */
const COUNTER: Writes = { UpdateItem: ['RATE#*'] };

/** Function → write action → the partition-key patterns it may write (sorted). */
const EXPECTED: Record<string, Writes> = {
  health: {},
  'api-reference': {},
  'unmatched-route': {},
  'list-media': COUNTER,
  'get-media': COUNTER,
  'serve-file': COUNTER,
  'media-limits': COUNTER,
  'upload-media': {
    PutItem: ['ATTACHMENT#*', 'IDEMPOTENCY#*', 'INTENT#*'],
    UpdateItem: ['IDEMPOTENCY#*', 'RATE#*'],
    DeleteItem: ['IDEMPOTENCY#*', 'INTENT#*'],
    ConditionCheckItem: ['POST#*', 'WS#*'],
  },
  'complete-upload-session': {
    PutItem: ['ATTACHMENT#*', 'IDEMPOTENCY#*', 'INTENT#*'],
    UpdateItem: ['IDEMPOTENCY#*', 'RATE#*', 'UPLOAD#*'],
    DeleteItem: ['IDEMPOTENCY#*', 'INTENT#*'],
    ConditionCheckItem: ['POST#*', 'WS#*'],
  },
  'create-upload-session': {
    PutItem: ['IDEMPOTENCY#*', 'UPLOAD#*'],
    UpdateItem: ['IDEMPOTENCY#*', 'RATE#*'],
    DeleteItem: ['IDEMPOTENCY#*'],
  },
  'delete-media': { UpdateItem: ['ATTACHMENT#*', 'RATE#*'] },
  'set-legal-hold': { UpdateItem: ['ATTACHMENT#*', 'RATE#*'] },
  'restore-media': {
    PutItem: ['IDEMPOTENCY#*'],
    UpdateItem: ['ATTACHMENT#*', 'IDEMPOTENCY#*', 'RATE#*'],
    DeleteItem: ['IDEMPOTENCY#*'],
  },
  'process-media': {
    PutItem: ['INTENT#*'],
    UpdateItem: ['ATTACHMENT#*'],
    DeleteItem: ['INTENT#*'],
  },
  'purge-sweep': { UpdateItem: ['ATTACHMENT#*'], DeleteItem: ['ATTACHMENT#*'] },
  'orphan-sweep': { UpdateItem: ['INTENT#*'], DeleteItem: ['INTENT#*'] },
  // Reads the table's stream, writes no item.
  'stream-events': {},
};

/** Partitions of API keys, users and workspaces (memberships live in a workspace's partition). */
const DIRECTORY = ['KEY#*', 'USER#*', 'WS#*'];
const ANY_WRITE =
  /^dynamodb:(Put|Update|Delete|BatchWrite|ConditionCheck|PartiQL(Insert|Update|Delete)|\*)/;

let json: CfnTemplate;
let statements: (name: string) => Statement[];
let deployed: string[];

beforeAll(() => {
  const synth = synthStack();
  json = synth.json;
  statements = (name) => statementsOf(json, synth.stack, synth.stack.service, name);
  deployed = [...synth.stack.service.functions.keys()];
});

/** What a function may write, read back from its statements; throws on an unscoped one. */
function writesOf(name: string): Writes {
  const found: Writes = {};
  for (const s of statements(name)) {
    const writes = asList(s.Action).filter((a) => ANY_WRITE.test(a));
    if (writes.length === 0) continue;
    expect(s.Effect, `${name}: ${s.Sid}`).toBe('Allow');
    // Only the scoping condition: nothing else, and never missing.
    expect(Object.keys(s.Condition ?? {}), `${name}: ${s.Sid} is not key-scoped`).toEqual([
      'ForAllValues:StringLike',
    ]);
    const condition = s.Condition?.['ForAllValues:StringLike'] ?? {};
    expect(Object.keys(condition), `${name}: ${s.Sid}`).toEqual(['dynamodb:LeadingKeys']);
    const patterns = asList(condition['dynamodb:LeadingKeys'] as string | string[]);
    for (const action of writes) {
      const key = action.replace('dynamodb:', '') as WriteAction;
      found[key] = [...new Set([...(found[key] ?? []), ...patterns])].sort();
    }
  }
  return found;
}

describe('key-scoped writes', () => {
  it('every deployed function has a row (and every row a function)', () => {
    expect(deployed.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s writes exactly its rows, each key-scoped', (name, row) => {
    expect(writesOf(name)).toEqual(row);
  });

  it('no request-path function may put, update or delete API keys, users or memberships', () => {
    for (const name of new Set(routes.map((route) => route.name))) {
      const writes = writesOf(name);
      const modifying = [
        ...(writes.PutItem ?? []),
        ...(writes.UpdateItem ?? []),
        ...(writes.DeleteItem ?? []),
      ];
      expect(
        modifying.filter((pattern) => DIRECTORY.includes(pattern)),
        name,
      ).toEqual([]);
    }
  });

  it('no function may batch-write or use PartiQL writes (they are not declared anywhere)', () => {
    for (const name of deployed) {
      const actions = statements(name).flatMap((s) => asList(s.Action));
      expect(
        actions.filter((a) => /^dynamodb:(BatchWriteItem|PartiQL|\*)/.test(a)),
        name,
      ).toEqual([]);
    }
  });
});
