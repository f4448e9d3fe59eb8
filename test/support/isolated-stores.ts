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
import { NEW_LOCAL_TABLE_PROJECTION, toCreateTableInput } from '../../lib/db/table-definition.ts';
import type { DomainEvent } from '../../lib/events/domain-events.ts';
import type { EventPublisher } from '../../lib/events/publisher.ts';
import { PortableMediaStore } from '../../lib/storage/portable-media-store.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';
import { testConfig } from './stack.ts';
import { tableEvents } from './table-events.ts';

/** Collects events published directly (the orphan sweep's reports) in memory. */
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
  /**
   * Every domain event so far, of one type: those of the table's change stream (each
   * committed record change) and those published directly (`deps.events`).
   */
  eventsOf(type: DomainEvent['type']): Promise<DomainEvent[]>;
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
  await dynamo.send(
    new CreateTableCommand(toCreateTableInput(config.tableName, NEW_LOCAL_TABLE_PROJECTION)),
  );
  const s3 = createS3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: config.bucketName }));
  const published = new RecordingPublisher();
  return {
    config,
    deps: {
      table: createTableContext(config),
      store: new PortableMediaStore(s3, config.bucketName),
      events: published,
    },
    eventsOf: async (type) => [...(await tableEvents(config, { type })), ...published.of(type)],
    drop: async () => {
      await dynamo.send(new DeleteTableCommand({ TableName: config.tableName }));
      dynamo.destroy();
    },
  };
}
