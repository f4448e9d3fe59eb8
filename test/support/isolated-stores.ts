/**
 * A table and a bucket of their own, on the integration run's DynamoDB Local and S3 server,
 * for tests that sweep: a purge or orphan sweep acts on everything in its table and bucket, so
 * it must not see the other test files' data (they run at the same time).
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { LifecycleDeps } from '../../lib/attachments/stored-files.ts';
import type { ServiceConfig } from '../../lib/config.ts';
import { createTableContext, LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import { toCreateTableInput } from '../../lib/db/table-definition.ts';
import type { DomainEvent } from '../../lib/events/domain-events.ts';
import type { EventPublisher } from '../../lib/events/publisher.ts';
import { PortableMediaStore } from '../../lib/storage/portable-media-store.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { testConfig } from './stack.ts';

/** Collects published events in memory (what a consumer of the bus would see). */
export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
  of(type: DomainEvent['type']): DomainEvent[] {
    return this.events.filter((event) => event.type === type);
  }
}

export interface IsolatedStores {
  config: ServiceConfig;
  deps: LifecycleDeps & { events: RecordingPublisher; store: PortableMediaStore };
  drop(): Promise<void>;
}

export async function isolatedStores(label: string): Promise<IsolatedStores> {
  const suffix = `${label}-${randomBytes(4).toString('hex')}`;
  const base = testConfig();
  const config: ServiceConfig = {
    ...base,
    tableName: `it-${suffix}`,
    bucketName: `it-${suffix}`,
    storageMode: 'portable',
  };
  const dynamo = new DynamoDBClient({
    endpoint: config.dynamoEndpoint,
    region: config.region,
    credentials: LOCAL_CREDENTIALS,
  });
  await dynamo.send(new CreateTableCommand(toCreateTableInput(config.tableName)));
  const s3 = createS3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: config.bucketName }));
  return {
    config,
    deps: {
      table: createTableContext(config),
      store: new PortableMediaStore(s3, config.bucketName),
      events: new RecordingPublisher(),
    },
    drop: async () => {
      await dynamo.send(new DeleteTableCommand({ TableName: config.tableName }));
      dynamo.destroy();
    },
  };
}
