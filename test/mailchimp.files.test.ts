import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { createMailchimpHttp, MailchimpError, type MailchimpHttp } from '../src/mailchimp/http.js';
import { uploadFile } from '../src/mailchimp/files.js';
import { startMailchimpSandbox, type MailchimpSandbox } from '../src/sandbox/index.js';

/** A 3×2 PNG: signature, then IHDR with width 3 and height 2 (the rest of the image does not matter here). */
const LOGO = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
  Buffer.from('IHDR', 'latin1'),
  Buffer.from([0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00]),
  Buffer.from('rest of the image', 'latin1'),
]);

let sandbox: MailchimpSandbox;
let http: MailchimpHttp;

beforeEach(async () => {
  sandbox = await startMailchimpSandbox({ members: [], listId: 'files01', clock: fixedClock('2026-11-03T09:00:00Z') });
  http = createMailchimpHttp({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, logger: silentLogger });
});

afterEach(async () => {
  await sandbox.close();
});

describe('uploading a logo to the Mailchimp File Manager', () => {
  it('sends name and base64 file_data, gets the hosted address, and the file is served there as uploaded', async () => {
    const logo = await uploadFile(http, { name: 'acme-logo.png', content: LOGO });

    expect(logo).toEqual({ id: expect.any(Number), name: 'acme-logo.png', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\/\d+\/acme-logo\.png$/), type: 'image', size: LOGO.length, width: 3, height: 2 });
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'POST', path: '/3.0/file-manager/files', body: { name: 'acme-logo.png', file_data: LOGO.toString('base64') }, status: 200 });
    const hosted = await fetch(logo.url);
    expect(hosted.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await hosted.arrayBuffer()).equals(LOGO)).toBe(true);
    expect(await http.get(`/file-manager/files/${logo.id}`, { fields: 'id,full_size_url,type' })).toEqual({ id: logo.id, full_size_url: logo.url, type: 'image' });
  });

  it('reads the pixel size of GIF and JPEG images too', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([0x40, 0x01, 0xc8, 0x00]), Buffer.alloc(8)]);
    const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), Buffer.alloc(9)]);
    const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x50, 0x01, 0x2c, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
    expect(await uploadFile(http, { name: 'logo.gif', content: gif })).toMatchObject({ type: 'image', width: 320, height: 200 });
    const photo = await uploadFile(http, { name: 'logo.jpg', content: jpeg });
    expect(photo).toMatchObject({ type: 'image', width: 300, height: 80 });
    expect((await fetch(photo.url)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('keeps a file that is not an image as a file, without a size in pixels', async () => {
    const terms = await uploadFile(http, { name: 'terms.txt', content: Buffer.from('Terms of service') });
    expect(terms).toMatchObject({ type: 'file', size: 16 });
    expect(terms).not.toHaveProperty('width');
  });

  it('surfaces Mailchimp\'s own refusal, naming the field, and keeps nothing', async () => {
    const refused = await uploadFile(http, { name: '  ', content: LOGO }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MailchimpError);
    expect(refused).toMatchObject({ status: 400, title: 'Invalid Resource', errors: [{ field: 'name', message: 'This value should not be blank.' }] });
    const incomplete = await http.post('/file-manager/files', { name: 'logo.png' }).catch((error: unknown) => error);
    expect(incomplete).toMatchObject({ status: 400, errors: [{ field: '', message: 'Required fields were not provided: file_data' }] });
    expect((await http.get(`/file-manager/files/20001`).catch((error: unknown) => error))).toMatchObject({ status: 404 });
  });
});
