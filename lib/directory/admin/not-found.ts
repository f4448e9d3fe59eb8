/** The "unknown id" errors of the directory, worded once for the CLI and the API alike. */
import { NotFoundError } from '../../errors.ts';

export const missing = {
  workspace: (id: string) => new NotFoundError(`workspace ${id} does not exist`),
  user: (id: string) => new NotFoundError(`user ${id} does not exist`),
  apiKey: (id: string) => new NotFoundError(`API key ${id} does not exist`),
  project: (id: string) => new NotFoundError(`project ${id} does not exist`),
  post: (id: string) => new NotFoundError(`post ${id} does not exist`),
  membership: (workspaceId: string, userId: string) =>
    new NotFoundError(`user ${userId} is not a member of workspace ${workspaceId}`),
  projectMember: (projectId: string, userId: string) =>
    new NotFoundError(`user ${userId} is not a member of project ${projectId}`),
};
