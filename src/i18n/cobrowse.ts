// The customer's cobrowse prompts' part of the English catalogue
// (en-cobrowse.ts): <cobrowse-consent> and <cobrowse-banner> call
// useCobrowseCatalogue() before they render, so it is in their chunks and not
// in the chat's.
import { addEnglish } from './catalogue.js';
import { enCobrowse } from './en-cobrowse.js';

/** Adds the cobrowse prompts' English messages to the catalogue (idempotent). */
export function useCobrowseCatalogue(): void {
  addEnglish(enCobrowse);
}
