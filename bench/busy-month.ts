import type { WorldProfile } from '../src/sandbox/index.js';

/**
 * Acme Corporation's month before the anchor's, made busy on purpose: its usual 50–70 tickets plus a
 * 480-ticket branch-office outage, so the pull and generate benchmarks measure a big client-month
 * (about 540 tickets) whatever the default world holds.
 */
export const BUSY_ACME_MONTH: Partial<WorldProfile> = {
  incidents: [
    {
      department: 'Acme Corporation',
      monthsBefore: 1,
      day: 6,
      tickets: 480,
      category: 'Network',
      subjects: ['Branch office offline', 'Cannot reach the file server from the branch', 'VPN to head office down', 'Phones at the branch have no line', 'Wi-Fi at the branch drops every few minutes'],
    },
  ],
};
