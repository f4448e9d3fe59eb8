/**
 * Child of bench/handler-overhead.ts: invokes `functions/get-media/handler.ts` in-process while
 * aws-sdk-client-mock answers the DynamoDB calls at once from items the real `lib/` writers
 * built (bench/lib/memory-table.ts). What is left is Middy, authentication logic, validation,
 * visibility rules, presentation and JSON serialisation. Reports through IPC.
 *
 * The mock replaces the document client's `send`, so the SDK's marshalling and HTTP layers are
 * not part of the figure (they are in the HTTP figures).
 */
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { commitAttachment } from '../lib/attachments/records.ts';
import { createApiKey } from '../lib/directory/admin/api-key-records.ts';
import { createPost } from '../lib/directory/admin/posts.ts';
import { createProject } from '../lib/directory/admin/projects.ts';
import { createUser } from '../lib/directory/admin/users.ts';
import { createWorkspace } from '../lib/directory/admin/workspaces.ts';
import { apiEvent, lambdaContext } from './lib/events.ts';
import { MemoryTable } from './lib/memory-table.ts';
import { benchAttachment } from './lib/seed.ts';
import { percentile, rng } from './lib/stats.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const warmup = Number(process.env.BENCH_WARMUP ?? 300);

const memory = new MemoryTable(process.env.TABLE_NAME);
const table = memory.context();
const workspace = await createWorkspace(table, { name: 'Overhead' });
const member = await createUser(table, {
  workspaceId: workspace.id,
  name: 'Mia Member',
  email: 'mia@bench.example',
  role: 'member',
  image: '/api/media/avatars/mia.jpg',
});
const { key } = await createApiKey(table, { workspaceId: workspace.id, userId: member.id });
const project = await createProject(table, { workspaceId: workspace.id, name: 'Launch' });
const post = await createPost(table, {
  projectId: project.id,
  authorId: member.id,
  title: 'Weekly Update',
});
const attachment = benchAttachment(rng(1), {
  workspaceId: workspace.id,
  projectId: project.id,
  postId: post.id,
  uploaderId: member.id,
  createdAt: Date.UTC(2026, 3, 1),
  fileType: 'image',
});
const refusal = await commitAttachment(table, attachment);
if (refusal) throw new Error(`seed refused: ${refusal}`);

const calls = new Map<string, number>();
const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
const dynamo = mockClient(DynamoDBDocumentClient);
dynamo.onAnyCommand().callsFake((input: unknown) => {
  throw new Error(`unmocked DynamoDB command: ${JSON.stringify(input).slice(0, 200)}`);
});
dynamo.on(GetCommand).callsFake((input) => {
  count('GetItem');
  return memory.getOutput(input);
});
dynamo.on(BatchGetCommand).callsFake((input) => {
  count('BatchGetItem');
  return memory.batchGetOutput(input);
});

const { handler } = (await import('../functions/get-media/handler.ts')) as {
  handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
};
const events = Array.from({ length: 256 }, () =>
  apiEvent({ method: 'GET', target: `/api/v1/media/${attachment.id}`, key }),
);
const context = lambdaContext('get-media');

async function invoke(i: number): Promise<void> {
  const result = await handler(events[i % events.length], context);
  if (result.statusCode !== 200) {
    throw new Error(
      `get-media answered ${result.statusCode}: ${String(result.body).slice(0, 300)}`,
    );
  }
}

for (let i = 0; i < warmup; i++) await invoke(i);
calls.clear();
const samples = new Float64Array(iterations);
const started = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) {
  const t0 = process.hrtime.bigint();
  await invoke(i);
  samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
}
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
const sorted = [...samples].sort((a, b) => a - b);
process.send?.({
  iterations,
  p50Ms: percentile(sorted, 50),
  p99Ms: percentile(sorted, 99),
  minMs: sorted[0],
  maxMs: sorted[sorted.length - 1],
  meanMs: elapsedMs / iterations,
  perSecond: (iterations * 1000) / elapsedMs,
  storeCallsPerRequest: Object.fromEntries([...calls].map(([k, v]) => [k, v / iterations])),
});
