/**
 * What each admin command does once its arguments are valid: one call into the directory and
 * the JSON object to print. A command without a handler is listed in the usage but not
 * available yet (the CLI says so before touching any store).
 *
 * Most commands only need the table. `media legal-hold` also changes the stored files' hold
 * and publishes an event, so it asks `services.media()` for the bucket and the publisher,
 * which are opened only then.
 */
import { setLegalHoldById } from '../attachments/lifecycle/legal-hold.ts';
import type { LifecycleDeps } from '../attachments/stored-files.ts';
import type { TableContext } from '../db/client.ts';
import { createApiKey, revokeApiKey } from '../directory/admin/api-key-records.ts';
import { seedDemo } from '../directory/admin/demo.ts';
import { removeMember, setMemberRole } from '../directory/admin/memberships.ts';
import { createPost, deletePost, updatePost } from '../directory/admin/posts.ts';
import {
  addProjectMember,
  createProject,
  removeProjectMember,
  setProjectVisibility,
} from '../directory/admin/projects.ts';
import { createUser } from '../directory/admin/users.ts';
import { createWorkspace } from '../directory/admin/workspaces.ts';
import type { AdminCommand, CommandName } from './args.ts';

export type CommandOutput = Record<string, unknown>;

export interface CommandServices {
  /** The media bucket and the event publisher, opened on first use. */
  media(): Promise<Pick<LifecycleDeps, 'store'>>;
}

type Handler<K extends CommandName> = (
  ctx: TableContext,
  command: Extract<AdminCommand, { command: K }>,
  services: CommandServices,
) => Promise<CommandOutput>;

const OK = { ok: true } as const;

const HANDLERS: { [K in CommandName]?: Handler<K> } = {
  'workspace create': async (ctx, c) => ({ id: (await createWorkspace(ctx, { name: c.name })).id }),
  'user create': async (ctx, c) => {
    const user = await createUser(ctx, {
      workspaceId: c.workspaceId,
      name: c.name,
      email: c.email,
      role: c.role,
      ...(c.image === undefined ? {} : { image: c.image }),
    });
    return { id: user.id };
  },
  'member set-role': async (ctx, c) => {
    await setMemberRole(ctx, { workspaceId: c.workspaceId, userId: c.userId, role: c.role });
    return OK;
  },
  'member remove': async (ctx, c) => {
    await removeMember(ctx, { workspaceId: c.workspaceId, userId: c.userId });
    return OK;
  },
  'key create': async (ctx, c) => {
    const { record, key } = await createApiKey(ctx, {
      workspaceId: c.workspaceId,
      userId: c.userId,
      scopes: c.scopes,
      ...(c.expiresAt === undefined ? {} : { expiresAt: c.expiresAt }),
    });
    return { id: record.id, key };
  },
  'key revoke': async (ctx, c) => {
    await revokeApiKey(ctx, c.keyId);
    return OK;
  },
  'project create': async (ctx, c) => {
    const project = await createProject(ctx, {
      workspaceId: c.workspaceId,
      name: c.name,
      visibility: c.visibility,
    });
    return { id: project.id };
  },
  'project add-member': async (ctx, c) => {
    await addProjectMember(ctx, { projectId: c.projectId, userId: c.userId });
    return OK;
  },
  'project remove-member': async (ctx, c) => {
    await removeProjectMember(ctx, { projectId: c.projectId, userId: c.userId });
    return OK;
  },
  'project set-visibility': async (ctx, c) => {
    await setProjectVisibility(ctx, { projectId: c.projectId, visibility: c.visibility });
    return OK;
  },
  'post create': async (ctx, c) => {
    const post = await createPost(ctx, {
      projectId: c.projectId,
      authorId: c.authorId,
      title: c.title,
      status: c.status,
    });
    return { id: post.id };
  },
  'post update': async (ctx, c) => {
    await updatePost(ctx, {
      postId: c.postId,
      ...(c.authorId === undefined ? {} : { authorId: c.authorId }),
      ...(c.title === undefined ? {} : { title: c.title }),
      ...(c.status === undefined ? {} : { status: c.status }),
    });
    return OK;
  },
  'post delete': async (ctx, c) => {
    await deletePost(ctx, c.postId);
    return OK;
  },
  'media legal-hold': async (ctx, c, services) => {
    // Record and storage hold together, exactly as the API does it (races included).
    await setLegalHoldById({ table: ctx, ...(await services.media()) }, c.attachmentId, c.on);
    return OK;
  },
  demo: async (ctx) => ({ ...(await seedDemo(ctx)) }),
};

export function isAvailable(command: CommandName): boolean {
  return HANDLERS[command] !== undefined;
}

/** The handler of a command, or undefined while the command is not available yet. */
export function handlerFor(
  command: AdminCommand,
): ((ctx: TableContext, services: CommandServices) => Promise<CommandOutput>) | undefined {
  const handler = HANDLERS[command.command] as Handler<CommandName> | undefined;
  return handler && ((ctx, services) => handler(ctx, command as never, services));
}
