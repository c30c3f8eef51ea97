import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { packagePath } from '../../package-files.js';

/** The Adaptive Card templates in `cards/`, one per kind of message. */
export const CARD_KINDS = ['summary', 'client-list', 'fix', 'digest', 'help', 'progress', 'error', 'confirmation', 'message'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export const cardsFolder = packagePath('cards');

const cache = new Map<CardKind, unknown>();

function cardTemplate(kind: CardKind): unknown {
  let template = cache.get(kind);
  if (!template) {
    template = JSON.parse(readFileSync(path.join(cardsFolder, `${kind}.json`), 'utf8'));
    cache.set(kind, template);
  }
  return template;
}

/** Expands a template with `data` as `$root`. Data values are never re-read as templates. */
export function expandCard(kind: CardKind, data: object): Record<string, unknown> {
  const expanded = new ACData.Template(cardTemplate(kind)).expand({ $root: data }) as Record<string, unknown>;
  return withoutEmpty(expanded) as Record<string, unknown>;
}

/** Drops properties bound to null (the template's way of saying "absent") and the `$schema` hint. */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== null).map(withoutEmpty);
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || item === undefined || key === '$schema') continue;
      result[key] = withoutEmpty(item);
    }
    return result;
  }
  return value;
}
