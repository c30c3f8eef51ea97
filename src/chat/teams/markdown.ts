/**
 * Adaptive Card TextBlocks (and FactSet values) in Teams render a markdown subset: **bold**, _italic_,
 * [links](url), lists and headings at the start of a line. Text from outside (client names, ticket
 * subjects, emails) must show literally, so every markdown trigger is backslash-escaped. `{{` is
 * broken with a zero-width space because Teams expands `{{DATE(...)}}`/`{{TIME(...)}}` in card text.
 */
import { withoutControlCharacters } from '../../collections.js';

const INLINE = /[\\`*_~[\]<>]/g;
const LINE_START = /^(\s*)([#>+-]|\d+[.)])(?=\s|$)/gm;

export function escapeMarkdown(text: string): string {
  return withoutControlCharacters(text.replace(/\r\n?/g, '\n'))
    .replace(INLINE, (character) => `\\${character}`)
    .replace(LINE_START, (_match, indent: string, marker: string) => `${indent}${marker.replace(/([#>+\-.)])/, '\\$1')}`)
    .replace(/\{\{/g, '{\u200b{');
}

