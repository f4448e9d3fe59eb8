/**
 * Vitest global setup of the `gateway` project: ONE Ceph RADOS Gateway (a real S3
 * implementation, see `local/rgw.ts`) for the whole run; test files reach it through the
 * provided `gateway` value (see `test/support/gateway.ts`).
 *
 * Under CI=true a gateway that is missing or does not start fails the run: the aws-mode
 * storage path must be proven on every CI run. On a developer machine without the packages the
 * project says so in one line and its tests are skipped; with the packages, a broken start
 * fails like on CI.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import {
  missingGatewayPackages,
  RGW_INSTALL_HINT,
  type RgwGateway,
  startRgw,
} from '../../local/rgw.ts';

export interface GatewayInfo {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  lifecycleDaySeconds: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Null when the gateway tests are skipped (no packages, not CI). */
    gateway: GatewayInfo | null;
  }
}

/** Seconds per lifecycle day: short, so a purge is observed within seconds. */
const LIFECYCLE_DAY_SECONDS = 5;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingGatewayPackages();
  if (missing.length > 0 && process.env.CI !== 'true') {
    console.log(
      `skipped: the Ceph gateway (real S3) tests: install ${missing.join(' ')} (${RGW_INSTALL_HINT})`,
    );
    project.provide('gateway', null);
    return async () => {};
  }
  // Under CI a missing package fails here, with the install hint in the message.
  const gateway: RgwGateway = await startRgw({ lifecycleDaySeconds: LIFECYCLE_DAY_SECONDS });
  project.provide('gateway', {
    endpoint: gateway.endpoint,
    region: gateway.region,
    credentials: gateway.credentials,
    lifecycleDaySeconds: gateway.lifecycleDaySeconds,
  });
  return async () => {
    await gateway.stop();
    // The starter's promise: nothing left behind, no daemon, no data.
    const alive = gateway.pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (alive.length > 0 || existsSync(gateway.dataDir)) {
      throw new Error(
        `the Ceph gateway left something behind: pids ${alive.join(', ') || 'none'}, dir ${gateway.dataDir}`,
      );
    }
  };
}
