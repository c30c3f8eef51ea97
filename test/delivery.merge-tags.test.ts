import { describe, expect, it } from 'vitest';
import { neutraliseMergeTags, neutraliseMergeTagsInText } from '../src/report/escape.js';
import { reportSubject, resendKey, sendKey } from '../src/app/delivery/keys.js';
import { evaluateMergeTags } from '../src/sandbox/mailchimp/merge-tags.js';

const values = { ARCHIVE: 'https://archive.example/x', FNAME: 'Jane', UNSUB: 'https://unsub.example' };

describe('merge tags from report data stay text', () => {
  it('breaks *| and |* in a subject with an invisible joiner that Mailchimp-style evaluation leaves alone', () => {
    const subject = neutraliseMergeTagsInText('Acme *|ARCHIVE|* *|IF:FNAME|*x*|END:IF|*');
    expect(evaluateMergeTags(subject, values)).toBe(subject);
    expect(subject.replace(/\u200D/g, '')).toBe('Acme *|ARCHIVE|* *|IF:FNAME|*x*|END:IF|*');
    expect(neutraliseMergeTagsInText(subject)).toBe(subject);
  });

  it('flattens line breaks and control characters so a subject stays one header line', () => {
    expect(neutraliseMergeTagsInText('Acme\r\nBcc: evil@example.com\u0007')).toBe('Acme Bcc: evil@example.com');
  });

  it('turns *| into &#42;| in HTML, idempotently, so evaluation leaves the body alone', () => {
    const html = neutraliseMergeTags('<p>*|FNAME|* and *|UNSUB|*</p>');
    expect(html).toBe('<p>&#42;|FNAME|&#42; and &#42;|UNSUB|&#42;</p>');
    expect(evaluateMergeTags(html, values)).toBe(html);
    expect(neutraliseMergeTags(html)).toBe(html);
  });

  it('builds the subject, shortening a very long client name to stay within Mailchimp\'s 150 characters', () => {
    expect(reportSubject({ clientName: 'Acme', periodKey: '2026-10', periodLabel: 'October 2026' })).toBe('Your Monthly Service Report: Acme — October 2026');
    const long = reportSubject({ clientName: 'A'.repeat(200), periodKey: '2026-10', periodLabel: 'October 2026' });
    expect(long.length).toBeLessThanOrEqual(143);
    expect(long).toMatch(/A…\s—\sOctober 2026$/);
  });

  it('names the report after its period: monthly only for a calendar month, quarterly for a quarter, plain for a range', () => {
    expect(reportSubject({ clientName: 'Acme', periodKey: '2026-11', periodLabel: 'November 2026 so far' })).toBe('Your Monthly Service Report: Acme — November 2026 so far');
    expect(reportSubject({ clientName: 'Globex', periodKey: '2026-Q3', periodLabel: 'Q3 2026' })).toBe('Your Quarterly Service Report: Globex — Q3 2026');
    expect(reportSubject({ clientName: 'Globex', periodKey: '2026-07..2026-08', periodLabel: 'July – August 2026' })).toBe('Your Service Report: Globex — July – August 2026');
    expect(reportSubject({ clientName: 'Globex', periodKey: '2026-10-01..2026-10-15', periodLabel: '1 – 15 October 2026' })).toBe('Your Service Report: Globex — 1 – 15 October 2026');
  });

  it('keys a send by client, period and version, and a deliberate resend by the send it repeats', () => {
    expect(sendKey({ clientId: 42, periodKey: '2026-Q3', version: 3 })).toBe('ir:42:2026-Q3:v3');
    expect(resendKey('ir:42:2026-Q3:v3')).toBe('ir:42:2026-Q3:v3:r2');
    expect(resendKey('ir:42:2026-Q3:v3:r2')).toBe('ir:42:2026-Q3:v3:r3');
  });
});
