/**
 * What an upload (and a list of one post) reads ahead during authentication (`uploadPrefetch`,
 * `postAccessPrefetch`): the post named in the
 * body with the API key, then its project, the caller's project membership and the uploader
 * with the membership; and the body peek it relies on (`peekJsonBody`), which never throws.
 */
import { describe, expect, it } from 'vitest';
import { postAccessPrefetch } from '../../../lib/attachments/read/visibility.ts';
import { uploadPrefetch } from '../../../lib/attachments/upload/upload.ts';
import { keys } from '../../../lib/db/keys.ts';
import { peekJsonBody } from '../../../lib/http/json-body.ts';
import type { ApiEvent } from '../../../lib/http/types.ts';
import { newId } from '../../../lib/ids.ts';

const caller = { workspaceId: newId('workspace'), userId: newId('user') };
const postId = newId('post');
const projectId = newId('project');

describe('uploadPrefetch', () => {
  it('reads the post with the key, then its project, the project membership and the uploader', () => {
    const prefetch = uploadPrefetch({ postId, fileData: 'AAAA' });
    expect(prefetch.withKey).toEqual([keys.post(postId)]);
    const post = { ...keys.post(postId), workspaceId: caller.workspaceId, projectId };
    expect(prefetch.withMembership?.(caller, () => post)).toEqual([
      keys.user(caller.userId),
      keys.project(projectId),
      keys.projectMember(projectId, caller.userId),
    ]);
  });

  it('reads nothing more of a post of another workspace, or of a missing one', () => {
    const prefetch = uploadPrefetch({ postId });
    const foreign = { ...keys.post(postId), workspaceId: newId('workspace'), projectId };
    expect(prefetch.withMembership?.(caller, () => foreign)).toEqual([keys.user(caller.userId)]);
    expect(prefetch.withMembership?.(caller, () => null)).toEqual([keys.user(caller.userId)]);
  });

  it('reads no post when the body names none (the body parser reports it after authentication)', () => {
    for (const body of [undefined, {}, { postId: 42 }, { postId: 'not an id' }]) {
      const prefetch = uploadPrefetch(body);
      expect(prefetch.withKey).toEqual([]);
      expect(prefetch.withMembership?.(caller, () => undefined)).toEqual([
        keys.user(caller.userId),
      ]);
    }
  });
});

describe('postAccessPrefetch (a list of one post)', () => {
  it('reads the post with the key, then only its project and the project membership', () => {
    const prefetch = postAccessPrefetch(postId);
    expect(prefetch.withKey).toEqual([keys.post(postId)]);
    const post = { ...keys.post(postId), workspaceId: caller.workspaceId, projectId };
    expect(prefetch.withMembership?.(caller, () => post)).toEqual([
      keys.project(projectId),
      keys.projectMember(projectId, caller.userId),
    ]);
    expect(postAccessPrefetch('../../etc').withKey).toEqual([]);
  });
});

describe('peekJsonBody', () => {
  const event = (body: string | undefined, contentType = 'application/json') =>
    ({
      headers: { 'content-type': contentType },
      body,
      isBase64Encoded: false,
    }) as unknown as ApiEvent;

  it('gives the JSON object of the body, its large field sliced out, parsing it once', () => {
    const request = event(JSON.stringify({ postId, fileData: 'QUJD' }));
    const first = peekJsonBody(request, { largeStringField: 'fileData' });
    expect(first).toMatchObject({ postId });
    expect(String(first?.fileData)).toBe('QUJD');
    expect(peekJsonBody(request, { largeStringField: 'fileData' })).toBe(first);
  });

  it('gives undefined, never an error, for what the body parser answers 400 or 415', () => {
    for (const request of [
      event(undefined),
      event('not json'),
      event('[1, 2]'),
      event('{"postId": 1}', 'text/plain'),
    ]) {
      expect(peekJsonBody(request)).toBeUndefined();
    }
  });
});
