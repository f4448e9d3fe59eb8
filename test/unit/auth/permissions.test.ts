import { describe, expect, it } from 'vitest';
import {
  canDeleteMedia,
  canManageRetention,
  canSeePost,
  canSeeProject,
  decideUpload,
  type Viewer,
} from '../../../lib/auth/permissions.ts';
import { ROLES, type Role, VISIBILITIES, type Visibility } from '../../../lib/directory/model.ts';

const WS = 'ws_home';
const ME = 'usr_me';

interface Case {
  role: Role;
  visibility: Visibility;
  projectMember: boolean;
  status: 'draft' | 'published';
  author: boolean;
  deleted: boolean;
  sameWorkspace: boolean;
}

function* allCases(): Generator<Case> {
  for (const role of ROLES)
    for (const visibility of VISIBILITIES)
      for (const projectMember of [true, false])
        for (const status of ['draft', 'published'] as const)
          for (const author of [true, false])
            for (const deleted of [true, false])
              for (const sameWorkspace of [true, false])
                yield { role, visibility, projectMember, status, author, deleted, sameWorkspace };
}

function facts(c: Case) {
  const workspaceId = c.sameWorkspace ? WS : 'ws_other';
  const viewer: Viewer = { userId: ME, workspaceId: WS, role: c.role };
  const post = {
    workspaceId,
    authorId: c.author ? ME : 'usr_someone',
    status: c.status,
    deletedAt: c.deleted ? 1 : null,
  };
  const project = {
    project: { workspaceId, visibility: c.visibility },
    viewerIsProjectMember: c.projectMember,
  };
  return { viewer, post, project };
}

/** The contract's sentence, spelled as a list of reasons a post is hidden. */
function hiddenBecause(c: Case): string[] {
  const reasons: string[] = [];
  if (c.deleted) reasons.push('deleted');
  if (!c.sameWorkspace) reasons.push('other workspace');
  if (c.visibility === 'private' && !c.projectMember && c.role === 'member') {
    reasons.push('private project');
  }
  if (c.status === 'draft' && !c.author) reasons.push("someone else's draft");
  return reasons;
}

describe('permission matrix (role × visibility × project membership × status × authorship × deleted × workspace)', () => {
  const cases = [...allCases()];

  it('covers every combination', () => {
    expect(cases).toHaveLength(3 * 2 * 2 * 2 * 2 * 2 * 2);
  });

  it.each(cases)('visibility %o', (c) => {
    const { viewer, post, project } = facts(c);
    expect(canSeePost(viewer, post, project)).toBe(hiddenBecause(c).length === 0);
  });

  it.each(cases)('upload %o', (c) => {
    const { viewer, post, project } = facts(c);
    const expected =
      c.deleted || !c.sameWorkspace
        ? 'post_not_found'
        : hiddenBecause(c).length > 0
          ? 'post_not_visible'
          : c.author
            ? 'allowed'
            : 'not_author';
    expect(decideUpload(viewer, post, project)).toBe(expected);
  });

  it.each(cases)('delete %o', (c) => {
    const { viewer, post, project } = facts(c);
    // Delete needs the attachment to be visible first (else 404), then author or admin/owner.
    const visible = canSeePost(viewer, post, project);
    const allowed = visible && canDeleteMedia(viewer, post);
    expect(allowed).toBe(hiddenBecause(c).length === 0 && (c.author || c.role !== 'member'));
  });
});

describe('individual rules', () => {
  const member: Viewer = { userId: ME, workspaceId: WS, role: 'member' };

  it('hides a missing post or project', () => {
    expect(canSeePost(member, null, null)).toBe(false);
    expect(decideUpload(member, null, null)).toBe('post_not_found');
  });

  it('lets owners and admins see private projects they are not members of', () => {
    const privateProject = {
      project: { workspaceId: WS, visibility: 'private' as const },
      viewerIsProjectMember: false,
    };
    expect(canSeeProject(member, privateProject)).toBe(false);
    expect(canSeeProject({ ...member, role: 'admin' }, privateProject)).toBe(true);
    expect(canSeeProject({ ...member, role: 'owner' }, privateProject)).toBe(true);
  });

  it('never shows a project of another workspace, even to its owner', () => {
    const foreign = {
      project: { workspaceId: 'ws_other', visibility: 'public' as const },
      viewerIsProjectMember: true,
    };
    expect(canSeeProject({ ...member, role: 'owner' }, foreign)).toBe(false);
  });

  it('reserves retention management for owners and admins', () => {
    expect(ROLES.filter((role) => canManageRetention({ ...member, role }))).toEqual([
      'owner',
      'admin',
    ]);
  });
});
