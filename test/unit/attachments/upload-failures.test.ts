/**
 * Failure paths of the upload write order, with the stores mocked: whatever fails, there is
 * never a record without its blob, never a blob left behind by a refused commit, and never a
 * blob without an intent the orphan sweep can find.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadMedia } from '../../../lib/attachments/upload/upload.ts';
import { keys } from '../../../lib/db/keys.ts';
import { S3MediaStore } from '../../../lib/storage/s3-media-store.ts';
import { mediaBytes } from '../../support/media-fixtures.ts';
import { answerBatchGets, publishedPostDirectory } from '../../support/mock-directory.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);

const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
};
const store = new S3MediaStore(new S3Client({ region: 'us-east-1' }), 'media-bucket');
const deps = { table, store, maxUploadBytes: 1024 * 1024 };
const viewer = { userId: 'usr_author', workspaceId: 'ws_one', role: 'member' as const };
const png = mediaBytes('image-64x48.png');
const body = {
  postId: 'pst_one',
  fileName: 'pic.png',
  mimeType: 'image/png',
  fileData: png.toString('base64'),
};

let directory = publishedPostDirectory();

beforeEach(() => {
  directory = publishedPostDirectory();
  answerBatchGets(ddbMock, table.tableName, () => directory);
  ddbMock.on(GetCommand).resolves({});
});

afterEach(() => {
  ddbMock.reset();
  s3Mock.reset();
});

/** The post is re-assigned between the permission check and the commit: the commit is refused. */
function authorChangesBeforeTheCommit(): never {
  directory[keys.post('pst_one').PK] = {
    ...directory[keys.post('pst_one').PK],
    authorId: 'usr_other',
  };
  throw new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
  });
}

describe('upload write order', () => {
  it('stores the blob with type, SHA-256 and encryption, then commits the record', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    ddbMock.on(TransactWriteCommand).resolves({});

    const result = await uploadMedia(deps, viewer, body);

    const put = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Key).toBe(result.url.replace('/api/media/', ''));
    expect(put?.ContentType).toBe('image/png');
    expect(put?.ServerSideEncryption).toBe('AES256');
    expect(put?.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const transaction = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const committed = transaction?.TransactItems?.find((item) => item.Put)?.Put?.Item;
    expect(committed?.id).toBe(result.id);
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('writes no record when storing the blob fails', async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error('S3 is down'));
    ddbMock.on(TransactWriteCommand).resolves({});

    await expect(uploadMedia(deps, viewer, body)).rejects.toThrow('S3 is down');
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('names the blob in an intent before storing it; the commit settles the intent', async () => {
    const order: string[] = [];
    ddbMock.on(PutCommand).callsFake((input) => {
      order.push(`intent ${input.Item.PK}`);
      return {};
    });
    s3Mock.on(PutObjectCommand).callsFake(() => {
      order.push('blob');
      return {};
    });
    ddbMock.on(TransactWriteCommand).callsFake(() => {
      order.push('commit');
      return {};
    });

    const result = await uploadMedia(deps, viewer, body);

    expect(order).toEqual([`intent INTENT#${result.id}`, 'blob', 'commit']);
    const transaction = ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const settled = transaction?.TransactItems?.find((item) => item.Delete)?.Delete;
    expect(settled?.Key).toEqual(keys.blobIntent(result.id, result.url.replace('/api/media/', '')));
    expect(settled?.ConditionExpression).toContain('attribute_not_exists(sweptAt)');
  });

  it('keeps the blob and its intent when the commit outcome is unknown (the sweep decides)', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});
    ddbMock.on(TransactWriteCommand).rejects(new Error('DynamoDB is down'));

    await expect(uploadMedia(deps, viewer, body)).rejects.toThrow('DynamoDB is down');
    // The commit may have happened before the error: removing the blob could lose a file.
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('removes the blob and answers 403 when the author changed while uploading', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});
    ddbMock.on(TransactWriteCommand).callsFake(authorChangesBeforeTheCommit);

    await expect(uploadMedia(deps, viewer, body)).rejects.toMatchObject({ statusCode: 403 });
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(1);
    // Nothing of the upload is left: its intent goes too.
    const dropped = ddbMock.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key?.PK);
    expect(dropped).toEqual([expect.stringMatching(/^INTENT#att_/)]);
  });

  it('still answers with the real error when removing the blob fails too (intent kept)', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).rejects(new Error('cannot delete'));
    ddbMock.on(TransactWriteCommand).callsFake(authorChangesBeforeTheCommit);

    await expect(uploadMedia(deps, viewer, body)).rejects.toMatchObject({ statusCode: 403 });
    expect(ddbMock.commandCalls(DeleteCommand)).toHaveLength(0); // the sweep's, later
  });

  it('touches no store before the permission check passes', async () => {
    await expect(uploadMedia(deps, { ...viewer, userId: 'usr_other' }, body)).rejects.toMatchObject(
      {
        statusCode: 403,
      },
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
