import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { startM365Sandbox, seedM365Tenants, type M365Controls, type M365Sandbox } from '../src/sandbox/index.js';
import { seedWorld } from '../src/sandbox/world/world.js';
import { M365CredentialsError, M365PermissionError, M365TenantError, createM365Source, type M365Figures } from '../src/m365/index.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const world = seedWorld({ anchor: ANCHOR, profile: { seatScale: 0.2 } });
const tenants = seedM365Tenants(world);
const acme = tenants.find((tenant) => tenant.displayName === 'Acme Corporation')!;
const oscorp = tenants.find((tenant) => tenant.displayName === 'Oscorp')!;

let sandbox: M365Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(controls: Partial<M365Controls> = {}) {
  sandbox = await startM365Sandbox({ tenants, controls });
  return sandbox;
}

const source = (service: M365Sandbox, secret = service.clientSecret) =>
  createM365Source({ clientId: service.clientId, clientSecret: secret, loginUrl: service.loginUrl, graphUrl: service.graphUrl, pace: { perSecond: 1000, concurrent: 4 }, baseDelayMs: 20 });

const october = parsePeriod('2026-10', { timezone: 'UTC', now: ANCHOR });
const request = (target: { id: string; name: string }) => ({ target, period: october, months: trailingMonths(october, 12), asOf: ANCHOR });

describe('the simulated Microsoft 365 refuses what Microsoft refuses', () => {
  const token = (service: M365Sandbox, tenant: string, fields: Record<string, string> = {}) =>
    axios.post(`${service.loginUrl}/${tenant}/oauth2/v2.0/token`, new URLSearchParams({ client_id: service.clientId, client_secret: service.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials', ...fields }).toString(), { validateStatus: () => true });

  it('answers Entra errors with their AADSTS codes: /common, an unknown tenant, no consent, a wrong secret, a wrong scope', async () => {
    const service = await start();
    const codes = async (tenant: string, fields?: Record<string, string>) => {
      const response = await token(service, tenant, fields);
      return [response.status, response.data.error, response.data.error_codes?.[0]];
    };
    expect(await codes('common')).toEqual([400, 'invalid_request', 9001023]);
    expect(await codes('00000000-0000-4000-a000-000000000000')).toEqual([400, 'invalid_request', 90002]);
    expect(await codes(oscorp.id)).toEqual([401, 'invalid_client', 7000229]);
    expect(await codes(acme.id, { client_secret: 'wrong' })).toEqual([401, 'invalid_client', 7000215]);
    expect(await codes(acme.id, { scope: 'User.Read' })).toEqual([400, 'invalid_scope', 70011]);
    const ok = await token(service, acme.id);
    expect(ok.data).toMatchObject({ token_type: 'Bearer', expires_in: 3599, access_token: expect.any(String) });
  });

  it('answers Graph without a token 401, a report period other than D7/D30/D90/D180 400, $filter on subscribedSkus 400, and a download that carries a token 401', async () => {
    const service = await start();
    const bearer = { Authorization: `Bearer ${(await token(service, acme.id)).data.access_token}` };
    const get = (path: string, headers: Record<string, string> = bearer) => axios.get(`${service.graphUrl}/v1.0${path}`, { headers, validateStatus: () => true, maxRedirects: 0 });
    expect((await get('/subscribedSkus', {})).data.error.code).toBe('InvalidAuthenticationToken');
    expect((await get("/reports/getMailboxUsageDetail(period='D31')")).status).toBe(400);
    expect((await get("/subscribedSkus?$filter=skuPartNumber eq 'SPB'")).status).toBe(400);
    const redirect = await get("/reports/getMailboxUsageDetail(period='D30')");
    expect(redirect.status).toBe(302);
    expect((await axios.get(redirect.headers.location, { headers: bearer, validateStatus: () => true })).status).toBe(401);
    expect((await axios.get(redirect.headers.location, { validateStatus: () => true })).status).toBe(200);
  });
});

describe('the Microsoft 365 client against the simulated services', () => {
  it('reads a tenant: one token, the licences, three reports downloaded without our token, the Secure Scores page by page', async () => {
    const service = await start();
    const m365 = source(service);
    const contribution = await m365.contribute(request({ id: acme.id, name: acme.displayName }));
    const figures = contribution.figures as M365Figures;
    expect(service.requests.filter((entry) => entry.path.endsWith('/token'))).toHaveLength(1);
    const downloads = service.requests.filter((entry) => entry.path.startsWith('/download/'));
    expect(downloads).toHaveLength(3);
    expect(downloads.every((entry) => !entry.authorization && entry.status === 200)).toBe(true);
    expect(service.requests.filter((entry) => entry.path.endsWith('/secureScores'))).toHaveLength(2);
    expect(figures.licences.map((row) => row.sku)).toEqual(['O365_BUSINESS_PREMIUM', 'EXCHANGESTANDARD']);
    expect(figures.activeUsers!.days).toBe(31);
    expect(figures.mailboxes.count).toBe(acme.mailboxes.length);
    expect(figures.mailboxes.nearQuota).toBe(1);
    expect(figures.secureScore).toMatchObject({ max: 300 });
    expect(figures.scoreTrend.filter((month) => month.percent !== null).map((month) => month.month)).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(contribution.headline).toMatch(/^\d+ of \d+ licences assigned · \d+ active users a day · Secure Score [\d.]+ %$/);

    await m365.contribute(request({ id: acme.id, name: acme.displayName }));
    expect(service.requests.filter((entry) => entry.path.endsWith('/token'))).toHaveLength(1);
  });

  it('waits out 429 and 503 by Retry-After, backs off without it, and renews an expired token once', async () => {
    const service = await start({ rateLimitBurst: 2, serverErrorBurst: 1 });
    const m365 = source(service);
    await m365.contribute(request({ id: acme.id, name: acme.displayName }));
    expect(service.requests.filter((entry) => entry.status === 429)).toHaveLength(2);
    expect(service.requests.filter((entry) => entry.status === 503)).toHaveLength(1);

    service.controls.sendRetryAfter = false;
    service.controls.rateLimitBurst = 2;
    service.expireTokens();
    service.requests.length = 0;
    await m365.contribute(request({ id: acme.id, name: acme.displayName }));
    expect(service.requests.filter((entry) => entry.status === 429)).toHaveLength(2);
    expect(service.requests.filter((entry) => entry.path.endsWith('/token'))).toHaveLength(1);
  }, 20_000);

  it('keeps to the reports\' limit of 14 calls per 10 minutes per tenant and report: one read serves ten minutes, and Graph\'s 429 is waited out', async () => {
    const service = await start({ timeScale: 600 });
    const reportCalls = () => service.requests.filter((entry) => entry.path.includes('getOffice365ServicesUserCounts'));
    const m365 = source(service);
    await m365.client.usageReport(acme.id, 'getOffice365ServicesUserCounts', 'D30');
    await m365.client.usageReport(acme.id, 'getOffice365ServicesUserCounts', 'D30');
    expect(reportCalls()).toHaveLength(1);
    // Fourteen more readers (each client its own cache): the fifteenth call in the window is refused once, then served.
    for (let call = 0; call < 14; call += 1) await source(service).client.usageReport(acme.id, 'getOffice365ServicesUserCounts', 'D30');
    expect(reportCalls().filter((entry) => entry.status === 429)).toHaveLength(1);
    expect(reportCalls().filter((entry) => entry.status === 302)).toHaveLength(15);
  }, 20_000);

  it('says which credential or permission is wrong: our secret, a tenant that never consented, a permission not granted', async () => {
    const service = await start({ permissions: ['Organization.Read.All', 'SecurityEvents.Read.All'] });
    await expect(source(service, 'expired').contribute(request({ id: acme.id, name: 'Acme' }))).rejects.toThrow(M365CredentialsError);
    await expect(source(service, 'expired').contribute(request({ id: acme.id, name: 'Acme' }))).rejects.toThrow(/^Microsoft rejected our app's client secret \(wrong or expired\); check M365_CLIENT_SECRET/);
    await expect(source(service).contribute(request({ id: oscorp.id, name: 'Oscorp' }))).rejects.toThrow(M365TenantError);
    const refused = source(service).contribute(request({ id: acme.id, name: 'Acme' }));
    await expect(refused).rejects.toThrow(M365PermissionError);
    await expect(refused).rejects.toThrow(/refused the getOffice365ActiveUserCounts report|refused the get/);
  });

  it('maps a client by its contact\'s email domain when the tenant verified it, and says why not otherwise', async () => {
    const service = await start();
    const m365 = source(service);
    const domain = acme.verifiedDomains[0]!.name.toLowerCase();
    expect(await m365.match({ id: 1, name: 'Acme Corporation', email: `wile@${domain}` })).toEqual({ kind: 'matched', target: { id: acme.id, name: 'Acme Corporation' } });
    expect(await m365.match({ id: 1, name: 'Acme Corporation', email: `wile@${acme.verifiedDomains.at(-1)!.name}` })).toMatchObject({ kind: 'none', reason: expect.stringContaining('own verified domains') });
    expect(await m365.match({ id: 1, name: 'Acme Corporation' })).toMatchObject({ kind: 'none' });
    expect(await m365.match({ id: 2, name: 'Someone', email: 'someone@gmail.com' })).toEqual({ kind: 'none', reason: 'no Microsoft 365 tenant owns the domain gmail.com' });
    expect(await m365.match({ id: 3, name: 'Oscorp', email: `norman@${oscorp.verifiedDomains[0]!.name}` })).toMatchObject({ kind: 'none', reason: expect.stringContaining('has not consented to our app') });
    expect(await m365.find(acme.id)).toEqual({ kind: 'matched', target: { id: acme.id, name: 'Acme Corporation' } });
    expect(await m365.find('00000000-0000-4000-a000-000000000000')).toMatchObject({ kind: 'none', reason: expect.stringContaining('There is no Microsoft 365 tenant') });
  });
});
