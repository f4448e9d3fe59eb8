/**
 * A tiny directory for unit tests that mock DynamoDB: one published post in a public project,
 * and a BatchGetItem fake that answers from it, so permission checks run on real-shaped items.
 */
import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import { type ItemKey, keys } from '../../lib/db/keys.ts';

export type MockDirectory = Record<string, Record<string, unknown>>;

/** Fresh each call: tests may change the post (e.g. its author) mid-way. */
export function publishedPostDirectory(): MockDirectory {
  return {
    [keys.post('pst_one').PK]: {
      ...keys.post('pst_one'),
      id: 'pst_one',
      workspaceId: 'ws_one',
      projectId: 'prj_one',
      authorId: 'usr_author',
      title: 'Post',
      status: 'published',
      createdAt: 1,
    },
    [keys.project('prj_one').PK]: {
      ...keys.project('prj_one'),
      id: 'prj_one',
      workspaceId: 'ws_one',
      name: 'Project',
      visibility: 'public',
      createdAt: 1,
    },
  };
}

/** Batched reads answer with the directory's items whose key matches exactly. */
export function answerBatchGets(
  // biome-ignore lint/suspicious/noExplicitAny: a stub of DynamoDBDocumentClient
  ddbMock: AwsStub<any, any, any>,
  tableName: string,
  directory: () => MockDirectory,
): void {
  ddbMock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
    const requested = (Object.values(input.RequestItems ?? {})[0]?.Keys ?? []) as ItemKey[];
    const items = requested.flatMap((key) => {
      const item = directory()[key.PK];
      return item && item.SK === key.SK ? [item] : [];
    });
    return { Responses: { [tableName]: items } };
  });
}
