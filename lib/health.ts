import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TableContext } from './db/client.ts';
import { logger } from './logger.ts';

/** True when both stores answer; the reason for a failure goes to the log, not the client. */
export async function checkStores(deps: {
  table: TableContext;
  s3: S3Client;
  bucketName: string;
}): Promise<boolean> {
  try {
    await Promise.all([
      deps.table.db.send(new DescribeTableCommand({ TableName: deps.table.tableName })),
      deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucketName })),
    ]);
    return true;
  } catch (error) {
    logger.warn('health check failed', error as Error);
    return false;
  }
}
