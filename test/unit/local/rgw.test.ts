/** What the gateway starter checks before it starts anything (the start itself: `gateway`). */
import { describe, expect, it } from 'vitest';
import { missingGatewayPackages, RGW_INSTALL_HINT } from '../../../local/rgw.ts';

describe('missingGatewayPackages', () => {
  it('names every package when none of their programs is on PATH', () => {
    expect(missingGatewayPackages('/nonexistent')).toEqual([
      'ceph-mon',
      'ceph-osd',
      'radosgw',
      'ceph-common',
    ]);
  });

  it('the install hint names the packages to install', () => {
    expect(RGW_INSTALL_HINT).toBe(
      'apt-get install --no-install-recommends ceph-mon ceph-osd radosgw',
    );
  });
});
