import type { Button, Confirm, KeyFigure, View } from '../views/view.js';
import { escapeMarkdown } from './markdown.js';
import { expandCard, type CardKind } from './templates.js';
import { chunk, truncate } from '../../collections.js';

/** Teams shows at most about 28 KB per message; we stay under it. */
export const CARD_SIZE_LIMIT = 28 * 1024;
const TEXT_LIMIT = 2000;
const LABEL_LIMIT = 80;

/** What a card button sends back, in `Action.Execute` data and the `Action.Submit` fallback alike. */
export interface CardActionData {
  action: string;
  value: string;
  /** Present on buttons that need a confirmation step first (Teams has no confirm dialog). */
  confirm?: Confirm;
  /** Set by the confirmation step's Confirm button. */
  confirmed?: boolean;
  /** Set by the confirmation step's Cancel button. */
  cancelled?: boolean;
}

interface CardAction {
  type: 'Action.Execute' | 'Action.OpenUrl';
  title: string;
  verb: string | null;
  data: CardActionData | null;
  url: string | null;
  style: 'positive' | 'destructive' | null;
  fallback: { type: 'Action.Submit'; title: string; data: CardActionData } | null;
}

/** Keeps a short last row of tiles aligned with the rows above. */
const BLANK_TILE: KeyFigure = { label: '', value: '' };
const TONE_COLORS = { info: 'default', success: 'good', warning: 'warning', error: 'attention' } as const;
const TONE_STYLES = { info: 'emphasis', success: 'good', warning: 'warning', error: 'attention' } as const;
const TREND_COLORS = { good: 'good', bad: 'attention', neutral: 'default' } as const;

function md(text: string | undefined, limit = TEXT_LIMIT): string | null {
  return text ? escapeMarkdown(truncate(text, limit)) : null;
}

export function cardAction(button: Button, extra: Partial<CardActionData> = {}): CardAction {
  const title = truncate(button.label, LABEL_LIMIT);
  if (button.url) return { type: 'Action.OpenUrl', title, verb: null, data: null, url: button.url, style: null, fallback: null };
  const data: CardActionData = { action: button.action, value: button.value, ...(button.confirm ? { confirm: button.confirm } : {}), ...extra };
  return {
    type: 'Action.Execute',
    title,
    verb: button.action,
    data,
    url: null,
    style: button.style === 'primary' ? 'positive' : button.style === 'danger' ? 'destructive' : null,
    fallback: { type: 'Action.Submit', title, data },
  };
}

/** Teams has no slash command: "/integoreport generate Acme" is typed as "generate Acme" (after @IntegoReport in channels). */
export const TEAMS_COMMAND_PREFIX = '';

/** The template for a view, by what it is. A plain message takes the alert layout when it warns or reports an error. */
export function cardTemplate(view: View): CardKind {
  switch (view.kind) {
    case 'report':
    case 'report-sent':
      return 'summary';
    case 'client-list':
    case 'history':
      return 'client-list';
    case 'fix-form':
      return 'fix';
    case 'digest-header':
      return 'digest';
    case 'help':
      return 'help';
    case 'notice':
    case 'error':
    case 'mistake':
    case 'status':
    case 'client':
    case 'client-choice':
    case 'progress':
    case 'report-discarded':
    case 'report-missing':
    case 'digest-row':
      return view.tone === 'error' || view.tone === 'warning' ? 'error' : 'message';
  }
}

/** The template data for a view: every outside text escaped for TextBlock markdown. */
function cardData(view: Omit<View, 'kind'>) {
  const tone = view.tone ?? 'info';
  const actions: CardAction[] = [];
  if (view.submit) actions.push(cardAction({ action: view.submit.action, label: view.submit.label, value: view.submit.value, style: 'primary' }));
  for (const button of view.buttons ?? []) actions.push(cardAction(button));
  if (view.paging?.previous) actions.push(cardAction(view.paging.previous));
  if (view.paging?.next) actions.push(cardAction(view.paging.next));
  return {
    title: md(view.title, 200),
    text: md(view.text),
    toneColor: TONE_COLORS[tone],
    toneStyle: TONE_STYLES[tone],
    working: 'Working…',
    facts: (view.facts ?? []).map((fact) => ({ title: md(fact.label, 100), value: md(fact.value, 500) ?? '' })),
    tileRows: chunk(view.tiles ?? [], 3).map((row) => ({
      tiles: [...row, ...Array<KeyFigure>(3 - row.length).fill(BLANK_TILE)].map((tile) => ({
        value: md(tile.value, 40),
        label: md(tile.label, 60),
        change: md(tile.change, 40),
        changeColor: TREND_COLORS[tile.trend ?? 'neutral'],
      })),
    })),
    sections: (view.sections ?? []).map((section) => ({
      title: md(section.title, 200),
      text: md(section.text),
      fields: (section.fields ?? []).map((field) => ({ title: md(field.label, 100), value: md(field.value, 500) ?? '' })),
      action: section.accessory ? cardAction(section.accessory) : null,
    })),
    choices: view.choices
      ? {
          id: view.choices.id,
          label: truncate(view.choices.label, 200),
          value: view.choices.initial ?? null,
          isRequired: !view.choices.optional,
          options: view.choices.options.map((option) => ({
            title: truncate(option.description ? `${option.label}: ${option.description}` : option.label, 300),
            value: option.value,
          })),
        }
      : null,
    inputs: (view.inputs ?? []).map((input) => ({
      id: input.id,
      label: truncate(input.label, 200),
      placeholder: input.placeholder ?? null,
      value: input.initial ?? null,
      style: input.kind === 'email' ? 'Email' : 'Text',
      isRequired: !input.optional,
      regex: input.kind === 'email' ? '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' : null,
      errorMessage: input.kind === 'email' ? 'Enter an email address like jane@acme.com.' : `Enter ${input.label.toLowerCase()}.`,
      hint: md(input.hint, 300),
    })),
    paging: view.paging && view.paging.pageCount > 1 ? `${view.paging.itemCount} in all` : null,
    context: view.context?.length ? view.context.map((line) => md(line, 500)).join('\n\n') : null,
    actions,
  };
}

function size(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Renders a view as an Adaptive Card 1.5 of at most {@link CARD_SIZE_LIMIT} bytes. */
export function renderCard(view: View): Record<string, unknown> {
  const template = cardTemplate(view);
  let card = expandCard(template, cardData(view));
  let shown = view;
  while (size(card) > CARD_SIZE_LIMIT && (shown.sections?.length ?? 0) > 1) {
    const sections = shown.sections!;
    const keep = Math.floor(sections.length / 2);
    const left = (view.sections?.length ?? 0) - keep;
    shown = { ...shown, sections: sections.slice(0, keep), context: [...(view.context ?? []), `…and ${left} more not shown.`] };
    card = expandCard(template, cardData(shown));
  }
  if (size(card) > CARD_SIZE_LIMIT) {
    card = expandCard('error', cardData({ tone: 'error', text: 'This answer is too large to show in Teams. Narrow it down and try again.' }));
  }
  return card;
}

/** What a clicked card shows while its action is still running: its title and text, and "Working…". */
export function renderWorkingCard(view: Pick<View, 'title' | 'text'>): Record<string, unknown> {
  return expandCard('progress', cardData({ title: view.title, text: view.text, tone: 'info' }));
}

/** The confirmation step Teams shows instead of a native confirm dialog: Confirm re-sends the action, Cancel undoes the step. */
export function renderConfirmation(clicked: CardActionData & { confirm: Confirm }): Record<string, unknown> {
  const { confirm, ...action } = clicked;
  const button = { action: action.action as Button['action'], value: action.value };
  const data = cardData({ tone: 'warning', title: confirm.title, text: confirm.text });
  data.actions = [
    cardAction({ ...button, label: confirm.confirm, style: 'primary' }, { confirmed: true }),
    cardAction({ ...button, label: confirm.deny }, { cancelled: true }),
  ];
  return expandCard('confirmation', data);
}
