/**
 * The fix form, end to end in Slack against the sandbox's Freshservice and Mailchimp: contacts that cannot receive
 * are shown with why but never pre-selected; a refusal says whether retrying helps and what to do instead, naming
 * the form's own choice, and opens the form again with what was typed; a personal address for a company waits for
 * the approver to confirm it; an exact email match is a match.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createRuntime, type Runtime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { ClientError } from '../src/clients/errors.js';
import { buttonsOf } from './support/slack-mock.js';
import { startSlackStack, type SlackStack } from './support/slack-stack.js';

type Block = Record<string, any>;

const users = [{ id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' }];

function text(blocks: Block[]): string {
  return JSON.stringify(blocks).replace(/\\"/g, '"');
}

function radioOf(modal: Block): Block {
  return (modal.blocks as Block[]).find((block) => block.block_id === 'contact')!.element;
}

function emailInputOf(modal: Block): Block {
  return (modal.blocks as Block[]).find((block) => block.block_id === 'email')!.element;
}

function values(contact: string, email: string | null) {
  return { contact: { contact: { type: 'radio_buttons', selected_option: { value: contact } } }, email: { email: { type: 'email_text_input', value: email } } };
}

describe('the fix form (Slack over HTTP, sandbox Mailchimp)', () => {
  let stack: SlackStack;
  let runtime: Runtime;

  beforeAll(async () => {
    stack = await startSlackStack({
      users,
      env: { APPROVERS: 'alice@msp.example', CHROMIUM_PATH: '/nonexistent/chromium' },
      services: async (config) => {
        runtime = await createRuntime({ config, logger: silentLogger, clock: systemClock, sandbox: await startEmbeddedSandbox(config, systemClock, { profile: { seatScale: 0.1 } }) });
        await runtime.clients.syncClients();
        return { services: runtime.services, close: () => runtime.close() };
      },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  const ephemerals = () => stack.mock.callsTo('chat.postEphemeral');
  async function nextEphemeral(before: number): Promise<Block[]> {
    return vi.waitFor(() => {
      const found = ephemerals()[before];
      expect(found).toBeDefined();
      return found!.args.blocks as Block[];
    });
  }

  it('an unsubscribed contact is shown, says why it cannot receive, and is not pre-selected (Oscorp)', async () => {
    await stack.command('fix Oscorp', { userId: 'U_APPROVER' });
    const radio = radioOf(await stack.latestModal());
    const norman = (radio.options as Block[]).find((option) => option.value === 'pick:norman.osborn@oscorp.com')!;
    expect(norman.description.text).toMatch(/^Cannot receive reports: unsubscribed from the audience/);
    expect(radio.initial_option?.value).not.toBe('pick:norman.osborn@oscorp.com');
  });

  it('a refused address says retrying will not help, names the form\'s own choice, and the form opens again with what was typed', async () => {
    await stack.command('fix Hooli', { userId: 'U_APPROVER' });
    const modal = await stack.latestModal();
    const labels = (radioOf(modal).options as Block[]).map((option) => option.text.text);
    const before = ephemerals().length;
    expect((await stack.submit('U_APPROVER', modal, values('email', 'gavin@hooli.com'))).status).toBe(200);
    const refusal = await nextEphemeral(before);
    const shown = text(refusal);
    expect(shown).toContain('gavin@hooli.com is not in the Mailchimp audience');
    expect(shown).toContain('Trying again will not help: choose "Add the email address below to the audience"');
    expect(labels).toContain('Add the email address below to the audience');
    expect(shown).not.toContain('Try again in a minute');

    const again = buttonsOf(refusal).find((button) => button.text.text === 'Open the form again')!;
    await stack.click('U_APPROVER', again, '1700000999.000200', { ephemeral: true });
    const reopened = await stack.latestModal();
    expect(radioOf(reopened).initial_option.value).toBe('email');
    expect(emailInputOf(reopened).initial_value).toBe('gavin@hooli.com');

    const added = ephemerals().length;
    await stack.submit('U_APPROVER', reopened, values('add-email', 'gavin@hooli.com'));
    await vi.waitFor(async () => {
      const hooli = (await runtime.services.listClients()).find((client) => client.name === 'Hooli')!;
      expect(hooli).toMatchObject({ state: 'linked', email: 'gavin@hooli.com' });
    });
    expect(ephemerals().length).toBe(added);
  });

  it('when Mailchimp did not answer, the message says trying again can help', async () => {
    const fixClient = runtime.services.fixClient;
    runtime.services.fixClient = async () => {
      runtime.services.fixClient = fixClient;
      throw new ClientError('Could not check zoe@hooli.com in Mailchimp because Mailchimp did not answer properly (timeout of 10000ms exceeded).', { retryable: true });
    };
    await stack.command('fix Initech', { userId: 'U_APPROVER' });
    const modal = await stack.latestModal();
    const before = ephemerals().length;
    await stack.submit('U_APPROVER', modal, values('email', 'zoe@initech.com'));
    expect(text(await nextEphemeral(before))).toContain('trying again in a minute can help');
  });

  it('a personal address for a company is linked only once the approver confirms it (Wayne Dental)', async () => {
    await stack.command('fix "Wayne Dental"', { userId: 'U_APPROVER' });
    const modal = await stack.latestModal();
    const john = (radioOf(modal).options as Block[]).find((option) => option.value === 'pick:johnsmith1978@gmail.com')!;
    expect(john.description.text).toContain('personal address');
    const before = ephemerals().length;
    await stack.submit('U_APPROVER', modal, values('pick:johnsmith1978@gmail.com', null));
    const warning = await nextEphemeral(before);
    expect(text(warning)).toContain('johnsmith1978@gmail.com is a personal gmail.com address, not one of Wayne Dental\'s (waynedental.com)');
    const wayne = async () => (await runtime.services.listClients()).find((client) => client.name === 'Wayne Dental')!;
    expect((await wayne()).state).not.toBe('linked');

    const confirm = buttonsOf(warning).find((button) => button.text.text === 'Link it anyway')!;
    await stack.click('U_APPROVER', confirm, '1700000999.000300', { ephemeral: true });
    await vi.waitFor(async () => expect(await wayne()).toMatchObject({ state: 'linked', email: 'johnsmith1978@gmail.com', via: 'manual' }));
  });

  it('a member with the prime user\'s own address is the match, not "several matches" (Bluth Company)', async () => {
    await stack.command('clients');
    const list = await vi.waitFor(() => {
      const posted = stack.mock.callsTo('chat.postMessage').find((call) => text(call.args.blocks ?? []).includes('Bluth Company'));
      expect(posted).toBeDefined();
      return posted!.args.blocks as Block[];
    });
    const bluth = list.find((block) => block.text?.text?.includes('Bluth Company'))!;
    expect(bluth.text.text).toContain('Linked: Michael Bluth michael.bluth@bluthcompany.com');
  });
});
