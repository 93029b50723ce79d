// The video's part of the English catalogue (en-video.ts): the video's
// elements and core call useVideoCatalogue() before they render or write a
// text, so it is in their chunks and not in the chat's.
import { addEnglish } from './catalogue.js';
import { enVideo } from './en-video.js';

/** Adds the video's English messages to the catalogue (idempotent). */
export function useVideoCatalogue(): void {
  addEnglish(enVideo);
}
