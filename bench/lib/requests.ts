/**
 * One realistic request per route (iterating `functions/routes.ts`), for the cold-start proxy.
 * Routes without a sample here get a generic request (path parameters filled with an existing
 * attachment, `{}` as a JSON body) and are flagged, so a new route still gets measured.
 */
import { type RouteDefinition, UNMATCHED_ROUTE_FUNCTION } from '../../functions/routes.ts';
import type { RequestSpec } from './events.ts';
import type { Dataset } from './seed.ts';

export interface RequestFixtures {
  /** The measured workspace: reads, deletes and holds go here. */
  dataset: Dataset;
  /**
   * A separate workspace for everything that creates attachments (uploads, restores, upload
   * sessions), so the measured workspace's lists stay exactly the seeded data.
   */
  uploads: Dataset;
  /** A post of `uploads` its author wrote, visible to everyone there. */
  uploadPostId: string;
  /** Base64 of a small PNG. */
  smallPngBase64: string;
  /** `url` of an attachment whose file is stored (for serve-file). */
  storedFileUrl: string;
  /** Returns a fresh, deletable attachment id on every call. */
  nextDeletableId: () => string;
  /** Returns a fresh attachment id deleted within its grace period (restorable) on every call. */
  nextRestorableId: () => string;
  /** A fresh upload session whose bytes are uploaded, or null when none could be prepared. */
  nextCompletableUploadId: () => string | null;
}

export interface SampleRequest extends RequestSpec {
  /** False when the route had no specific sample and got the generic one. */
  specific: boolean;
}

export function sampleRequest(route: RouteDefinition, f: RequestFixtures): SampleRequest {
  const { admin } = f.dataset;
  const { author, admin: uploadsAdmin } = f.uploads;
  const someId = f.dataset.sampleAttachmentIds[0] as string;
  switch (route.name) {
    case 'health':
      return { method: 'GET', target: '/health', specific: true };
    case 'list-media':
      return {
        method: 'GET',
        target: '/api/v1/media?limit=50',
        key: admin.key,
        specific: true,
      };
    case 'get-media':
      return {
        method: 'GET',
        target: `/api/v1/media/${someId}`,
        key: admin.key,
        specific: true,
      };
    case 'upload-media':
      return {
        method: 'POST',
        target: '/api/v1/media',
        key: author.key,
        body: JSON.stringify({
          postId: f.uploadPostId,
          fileName: 'cold-start.png',
          mimeType: 'image/png',
          fileData: f.smallPngBase64,
        }),
        specific: true,
      };
    case 'delete-media':
      return {
        method: 'DELETE',
        target: `/api/v1/media/${f.nextDeletableId()}`,
        key: admin.key,
        specific: true,
      };
    case 'set-legal-hold':
      return {
        method: 'PUT',
        target: `/api/v1/media/${f.dataset.sampleAttachmentIds[1] as string}/legal-hold`,
        key: admin.key,
        body: JSON.stringify({ enabled: true }),
        specific: true,
      };
    case 'restore-media':
      return {
        method: 'POST',
        target: `/api/v1/media/${f.nextRestorableId()}/restore`,
        key: uploadsAdmin.key,
        specific: true,
      };
    case 'create-upload-session':
      return {
        method: 'POST',
        target: '/api/v1/media/uploads',
        key: author.key,
        body: JSON.stringify({
          postId: f.uploadPostId,
          fileName: 'cold-start.png',
          mimeType: 'image/png',
          fileSize: Buffer.from(f.smallPngBase64, 'base64').length,
        }),
        specific: true,
      };
    case 'complete-upload-session': {
      const uploadId = f.nextCompletableUploadId();
      if (!uploadId) break;
      return {
        method: 'POST',
        target: `/api/v1/media/uploads/${uploadId}/complete`,
        key: author.key,
        specific: true,
      };
    }
    // The `$default` route's function: a path no route has.
    case UNMATCHED_ROUTE_FUNCTION:
      return {
        method: 'GET',
        target: '/api/v1/unrouted',
        key: admin.key,
        unrouted: true,
        specific: true,
      };
    case 'serve-file':
      return {
        method: 'GET',
        target: f.storedFileUrl,
        key: uploadsAdmin.key,
        specific: true,
      };
  }
  // No sample for this route (or its fixtures could not be prepared): a generic request.
  const greedy = route.path.indexOf('{proxy+}');
  const target =
    greedy >= 0 && f.storedFileUrl.startsWith(route.path.slice(0, greedy))
      ? route.path.slice(0, greedy) + f.storedFileUrl.slice(greedy)
      : route.path.replace(/\{[A-Za-z0-9_]+\+?\}/g, someId);
  return {
    method: route.method,
    target,
    key: admin.key,
    ...(route.method === 'POST' || route.method === 'PUT' ? { body: '{}' } : {}),
    specific: false,
  };
}
