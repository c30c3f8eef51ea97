import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, formValues, LIMITS, renderMessage as renderBlocks, renderModal, actionIdOf } from '../src/chat/slack/render.js';
import { clientListView, fixFormView, summaryView } from '../src/chat/views/builders.js';
import type { ReportSummary } from '../src/app/ports.js';
import type { ClientEntry } from '../src/clients/types.js';
import type { View } from '../src/chat/views/view.js';

type Block = Record<string, any>;

const renderMessage = (view: View) => renderBlocks(view) as { text: string; blocks: Block[] };

/** Every mrkdwn text in a rendered message. */
function mrkdwnTexts(blocks: Block[]): string[] {
  const texts: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'mrkdwn' && typeof record.text === 'string') texts.push(record.text);
      Object.values(record).forEach(visit);
    }
  };
  visit(blocks);
  return texts;
}

const report: ReportSummary = {
  id: 'r1',
  version: 1,
  client: { id: 1, name: 'Acme <Corp> & Sons' },
  period: { key: '2026-10', label: 'October 2026', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
  createdAt: '2026-11-02T09:00:00Z',
  createdBy: '<!channel>',
  figures: [{ label: 'Tickets', value: '48', change: '▲ 12 %' }],
  ticketCount: 48,
  viewUrl: 'https://reports.example/reports/r1?exp=1&sig=x',
  recipient: 'jane@acme.example',
  copyTo: 'reports@msp.example',
};

describe('Block Kit renderer', () => {
  it('escapes &, < and > in every mrkdwn text so mentions and links typed by anyone stay inert', () => {
    const view: View = { kind: 'notice', title: '<!here>', text: '<!channel> <script>alert(1)</script> & <https://evil.example|click>', context: ['<@U123>'], facts: [{ label: '<b>', value: '<!everyone>' }] };
    const { blocks, text } = renderMessage(view);
    for (const mrkdwn of [...mrkdwnTexts(blocks), text]) {
      expect(mrkdwn).not.toMatch(/[<>]/);
    }
    expect(mrkdwnTexts(blocks)[0]).toBe('&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('a & b < c > d "e" \'f\'')).toBe('a &amp; b &lt; c &gt; d "e" \'f\'');
  });

  it('renders the approval card with header, tiles, facts, buttons with a confirm dialog, and context', () => {
    const { blocks } = renderMessage(summaryView(report));
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Acme <Corp> & Sons: October 2026', emoji: true } });
    const actions = blocks.find((block) => block.type === 'actions')!;
    const elements = actions.elements as Block[];
    expect(elements.map((element) => element.action_id)).toEqual(['report.open', 'report.send', 'report.test', 'report.discard']);
    expect(elements[0]!.url).toBe(report.viewUrl);
    expect(elements[1]!.style).toBe('primary');
    expect(elements[1]!.confirm.text.text).toBe('Send the October 2026 report for Acme <Corp> & Sons to jane@acme.example and a copy to reports@msp.example?');
    expect(elements[3]!.confirm.style).toBe('danger');
    expect(mrkdwnTexts(blocks)).toContain('*Tickets*\n48   ▲ 12 %');
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
  });

  it('keeps action ids unique within a message and maps them back', () => {
    const clients: ClientEntry[] = Array.from({ length: 20 }, (_, index) => ({ id: index, name: `C${index}`, state: 'no-contact' }));
    const { blocks } = renderMessage(clientListView(clients, { page: 1, unlinkedOnly: false }));
    const ids = blocks.flatMap((block) => [block.accessory, ...(block.elements ?? [])]).filter((element) => element?.type === 'button').map((element) => element.action_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('client.fix#3');
    expect(actionIdOf('client.fix#3')).toBe('client.fix');
  });

  it('respects Block Kit limits for huge views', () => {
    const long = 'x'.repeat(10_000);
    const view: View = {
      kind: 'notice',
      title: long,
      text: '<'.repeat(5000),
      facts: Array.from({ length: 25 }, () => ({ label: long, value: long })),
      sections: Array.from({ length: 80 }, (_, index) => ({ title: `S${index}`, text: long, accessory: { action: 'client.fix', label: long, value: 'v'.repeat(5000) } })),
      buttons: Array.from({ length: 30 }, () => ({ action: 'report.test' as const, label: long, value: '1', confirm: { title: long, text: long, confirm: long, deny: long } })),
      context: Array.from({ length: 15 }, () => long),
    };
    const { blocks, text } = renderMessage(view);
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    expect(text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    expect(blocks[0]!.text.text.length).toBeLessThanOrEqual(LIMITS.header);
    for (const block of blocks) {
      if (block.type === 'section') {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
        expect((block.fields ?? []).length).toBeLessThanOrEqual(LIMITS.fields);
        for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(LIMITS.field);
        if (block.accessory) {
          expect(block.accessory.text.text.length).toBeLessThanOrEqual(LIMITS.buttonLabel);
          expect(block.accessory.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
        }
      }
      if (block.type === 'actions') {
        expect(block.elements.length).toBeLessThanOrEqual(LIMITS.actionsElements);
        for (const button of block.elements) {
          expect(button.text.text.length).toBeLessThanOrEqual(LIMITS.buttonLabel);
          expect(button.confirm.title.text.length).toBeLessThanOrEqual(LIMITS.confirmTitle);
          expect(button.confirm.text.text.length).toBeLessThanOrEqual(LIMITS.confirmText);
          expect(button.confirm.confirm.text.length).toBeLessThanOrEqual(LIMITS.confirmButton);
        }
      }
      if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
    }
    expect(JSON.stringify(blocks)).toContain('more not shown');
    expect(blocks.at(-1)!.type).toBe('context');
  });

  it('never cuts an escaped entity in half when truncating', () => {
    const { blocks } = renderMessage({ kind: 'notice', text: '<'.repeat(5000) });
    expect(blocks[0]!.text.text).toMatch(/^(&lt;)+…$/);
  });

  it('renders the fix form as a modal with radio buttons, reasons and an email input, and reads its values back', () => {
    const client: ClientEntry = { id: 2, name: 'Globex International Holdings', state: 'to-add', contactToAdd: { email: 'hank@globex.example', firstName: 'Hank', lastName: 'Scorpio' } };
    const modal = renderModal(fixFormView(client, [{ email: 'it@globex.example', name: 'Pat', status: 'subscribed', reason: 'same domain globex.example', score: 0.8 }]), '{"v":"x"}');
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'client.fix.submit', private_metadata: '{"v":"x"}', submit: { text: 'Save' } });
    expect((modal.title as { text: string }).text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
    const blocks = modal.blocks as Block[];
    const radio = blocks.find((block) => block.block_id === 'contact')!;
    expect(radio.element.type).toBe('radio_buttons');
    expect(radio.element.initial_option.value).toBe('add:hank@globex.example');
    expect(radio.element.options[1].description.text).toBe('same domain globex.example');
    expect(blocks.find((block) => block.block_id === 'email')!.element.type).toBe('email_text_input');

    const values = formValues({ values: { contact: { contact: { type: 'radio_buttons', selected_option: { value: 'add-email' } } }, email: { email: { type: 'email_text_input', value: 'new@globex.example' } } } });
    expect(values).toEqual({ contact: 'add-email', email: 'new@globex.example' });
  });
});
