// The message form's part of the English catalogue (en-offline.ts): the form
// calls useOfflineCatalogue() before it renders, so it is in its chunk and not
// in the chat's.
import { addEnglish } from './catalogue.js';
import { enOffline } from './en-offline.js';

/** Adds the message form's English messages to the catalogue (idempotent). */
export function useOfflineCatalogue(): void {
  addEnglish(enOffline);
}
