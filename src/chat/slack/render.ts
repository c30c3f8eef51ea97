/**
 * View → Block Kit. Every outside text is escaped for mrkdwn (`&`, `<`, `>` only, as Slack asks), so
 * `<!channel>` or `<https://evil|click>` typed by anyone shows as text. Every size limit is enforced here.
 */
import type { Button, ChoiceList, Confirm, View } from '../views/view.js';
import { chunk, truncate, withoutControlCharacters } from '../../collections.js';

/** Commands are typed as the slash command in Slack; views name them so. */
export const SLACK_COMMAND_PREFIX = '/integoreport';

export const LIMITS = Object.freeze({
  blocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  buttonLabel: 75,
  buttonValue: 2000,
  url: 3000,
  actionsElements: 25,
  contextElements: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  optionText: 75,
  optionValue: 150,
  options: 10,
  inputLabel: 2000,
  fallbackText: 3000,
});

const TONE_PREFIX: Record<NonNullable<View['tone']>, string> = {
  info: '',
  success: ':white_check_mark: ',
  warning: ':warning: ',
  error: ':x: ',
};

/** Escapes text for mrkdwn: `&`, `<` and `>` become entities so nothing becomes a link or mention; control characters go. */
export function escapeMrkdwn(text: string): string {
  return withoutControlCharacters(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped and truncated mrkdwn, never cutting an entity in half. */
function mrkdwn(text: string, limit: number): string {
  let escaped = escapeMrkdwn(text);
  if (escaped.length <= limit) return escaped;
  escaped = escaped.slice(0, limit - 1).replace(/&[a-z]{0,3}$/, '');
  return `${escaped}…`;
}

function plain(text: string, limit: number) {
  return { type: 'plain_text' as const, text: truncate(withoutControlCharacters(text).trim() || ' ', limit), emoji: true };
}

function bold(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat ? `*${flat.replace(/\*/g, '∗')}*` : '';
}

type Block = Record<string, unknown>;

/** Slack needs `action_id` unique within a message; `#n` suffixes keep them unique and are stripped on the way back. */
function actionIds() {
  const used = new Map<string, number>();
  return (action: string) => {
    const count = used.get(action) ?? 0;
    used.set(action, count + 1);
    return count === 0 ? action : `${action}#${count}`;
  };
}

/** The ActionId of an incoming `action_id` (without the uniqueness suffix). */
export function actionIdOf(actionId: string): string {
  return actionId.split('#')[0]!;
}

function confirmObject(confirm: Confirm, style?: Button['style']) {
  return {
    title: plain(confirm.title, LIMITS.confirmTitle),
    text: plain(confirm.text, LIMITS.confirmText),
    confirm: plain(confirm.confirm, LIMITS.confirmButton),
    deny: plain(confirm.deny, LIMITS.confirmButton),
    ...(style === 'danger' ? { style: 'danger' } : {}),
  };
}

function buttonElement(button: Button, nextId: (action: string) => string): Block {
  return {
    type: 'button',
    action_id: nextId(button.action),
    text: plain(button.label, LIMITS.buttonLabel),
    value: button.value.slice(0, LIMITS.buttonValue),
    ...(button.url ? { url: button.url.slice(0, LIMITS.url) } : {}),
    ...(button.style ? { style: button.style } : {}),
    ...(button.confirm ? { confirm: confirmObject(button.confirm, button.style) } : {}),
  };
}

function fieldsOf(items: Array<{ label: string; value: string }>): Array<{ type: 'mrkdwn'; text: string }> {
  return items.map((item) => {
    const label = bold(mrkdwn(item.label, 200));
    return { type: 'mrkdwn', text: `${label}\n${mrkdwn(item.value, LIMITS.field - label.length - 1)}` };
  });
}

/** Blocks shared by messages and modals, before the block-count limit is applied. */
function contentBlocks(view: View, nextId: (action: string) => string): Block[] {
  const blocks: Block[] = [];
  if (view.title) blocks.push({ type: 'header', text: plain(view.title, LIMITS.header) });
  const prefix = view.tone ? TONE_PREFIX[view.tone] : '';
  if (view.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: prefix + mrkdwn(view.text, LIMITS.sectionText - prefix.length) } });
  for (const tiles of chunk(view.tiles ?? [], LIMITS.fields)) {
    blocks.push({
      type: 'section',
      fields: fieldsOf(tiles.map((tile) => ({ label: tile.label, value: tile.change ? `${tile.value}   ${tile.change}` : tile.value }))),
    });
  }
  for (const facts of chunk(view.facts ?? [], LIMITS.fields)) {
    blocks.push({ type: 'section', fields: fieldsOf(facts) });
  }
  for (const section of view.sections ?? []) {
    const heading = section.title ? bold(escapeMrkdwn(section.title)) : '';
    const body = section.text ? escapeMrkdwn(section.text) : '';
    const text = [heading, body].filter(Boolean).join('\n');
    const block: Block = { type: 'section' };
    if (text) block.text = { type: 'mrkdwn', text: text.length > LIMITS.sectionText ? mrkdwn(`${section.title ?? ''}\n${section.text ?? ''}`, LIMITS.sectionText) : text };
    if (section.fields?.length) block.fields = fieldsOf(section.fields.slice(0, LIMITS.fields));
    if (!block.text && !block.fields) block.text = { type: 'mrkdwn', text: ' ' };
    if (section.accessory) block.accessory = buttonElement(section.accessory, nextId);
    blocks.push(block);
  }
  return blocks;
}

function trailingBlocks(view: Pick<View, 'buttons' | 'paging' | 'context'>, nextId: (action: string) => string): Block[] {
  const blocks: Block[] = [];
  const buttons = [...(view.buttons ?? [])];
  const pageButtons = [view.paging?.previous, view.paging?.next].filter((button): button is Button => Boolean(button));
  for (const group of chunk([...buttons, ...pageButtons], LIMITS.actionsElements)) {
    blocks.push({ type: 'actions', elements: group.map((button) => buttonElement(button, nextId)) });
  }
  const context = (view.context ?? []).filter((line) => line.trim());
  if (context.length) {
    blocks.push({
      type: 'context',
      elements: context.slice(0, LIMITS.contextElements).map((line) => ({ type: 'mrkdwn', text: mrkdwn(line, LIMITS.sectionText) })),
    });
  }
  return blocks;
}

/** Keeps the first and last blocks and drops middle ones past the limit, saying how many were left out. */
function fitBlocks(content: Block[], trailing: Block[], limit: number): Block[] {
  if (content.length + trailing.length <= limit) return [...content, ...trailing];
  const room = limit - trailing.length - 1;
  const kept = content.slice(0, room);
  const left = content.length - kept.length;
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${left} more not shown.` }] }, ...trailing];
}

/** Plain fallback text for notifications and screen readers (also mrkdwn, so escaped). */
function fallbackText(view: View): string {
  const parts = [view.title, view.text].filter((part): part is string => Boolean(part && part.trim()));
  return mrkdwn(parts.join(': ') || 'IntegoReport', LIMITS.fallbackText);
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** A message (chat.postMessage / chat.update / ephemeral). A form's inputs and choices only appear in its modal. */
export function renderMessage(view: View): SlackMessage {
  const nextId = actionIds();
  const content = contentBlocks(view, nextId);
  if (view.kind === 'fix-form') {
    content.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'This form opens as a dialog in Slack.' }] });
  }
  return { text: fallbackText(view), blocks: fitBlocks(content, trailingBlocks(view, nextId), LIMITS.blocks) };
}

/** Slack wants `initial_option` to be exactly one of the options, so both come from here. */
function radioOption(option: ChoiceList['options'][number]) {
  return {
    text: plain(option.label, LIMITS.optionText),
    value: option.value.slice(0, LIMITS.optionValue),
    ...(option.description ? { description: plain(option.description, LIMITS.optionText) } : {}),
  };
}

/** A modal for `views.open`. `callback_id` is the submit action; `private_metadata` carries the caller's state. */
export function renderModal(view: View, privateMetadata: string): Record<string, unknown> {
  const nextId = actionIds();
  const { title, ...rest } = view;
  const content = contentBlocks({ ...rest, buttons: undefined, paging: undefined }, nextId);
  if (view.choices) {
    const choices = view.choices;
    // Slack refuses more than 10 radio options; cutting the tail would silently drop a choice the form offers.
    if (choices.options.length > LIMITS.options) throw new Error(`a form offers ${choices.options.length} choices; Slack radio buttons take at most ${LIMITS.options}`);
    const options = choices.options;
    const initial = options.find((option) => option.value === choices.initial);
    content.push({
      type: 'input',
      block_id: choices.id,
      optional: Boolean(choices.optional),
      label: plain(choices.label, LIMITS.inputLabel),
      element: {
        type: 'radio_buttons',
        action_id: choices.id,
        options: options.map(radioOption),
        ...(initial ? { initial_option: radioOption(initial) } : {}),
      },
    });
  }
  for (const input of view.inputs ?? []) {
    content.push({
      type: 'input',
      block_id: input.id,
      optional: Boolean(input.optional),
      label: plain(input.label, LIMITS.inputLabel),
      ...(input.hint ? { hint: plain(input.hint, LIMITS.inputLabel) } : {}),
      element: {
        type: input.kind === 'email' ? 'email_text_input' : 'plain_text_input',
        action_id: input.id,
        ...(input.placeholder ? { placeholder: plain(input.placeholder, 150) } : {}),
        ...(input.initial ? { initial_value: input.initial } : {}),
      },
    });
  }
  const trailing = trailingBlocks({ context: view.context }, nextId);
  return {
    type: 'modal',
    callback_id: view.submit?.action ?? 'form',
    private_metadata: privateMetadata.slice(0, LIMITS.privateMetadata),
    title: plain(title ?? 'IntegoReport', LIMITS.modalTitle),
    ...(view.submit ? { submit: plain(view.submit.label, LIMITS.modalButton) } : {}),
    close: plain('Cancel', LIMITS.modalButton),
    blocks: fitBlocks(content, trailing, LIMITS.modalBlocks),
  };
}

/** Form values from a view_submission's `view.state.values`, by block id. */
export function formValues(state: unknown): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  const blocks = (state as { values?: Record<string, Record<string, Record<string, unknown>>> } | undefined)?.values ?? {};
  for (const [blockId, actions] of Object.entries(blocks)) {
    for (const element of Object.values(actions)) {
      const selected = element.selected_option as { value?: string } | null | undefined;
      const value = typeof element.value === 'string' ? element.value : selected?.value;
      values[blockId] = value ?? undefined;
    }
  }
  return values;
}
