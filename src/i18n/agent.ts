// The agent's part of the English catalogue (en-agent.ts): the agent's
// elements and the agent's session code call useAgentCatalogue() before they
// render or write a text, so it is in their bundles and not in the widget's.
import { addEnglish } from './catalogue.js';
import { enAgent } from './en-agent.js';

/** Adds the agent's English messages to the catalogue (idempotent). */
export function useAgentCatalogue(): void {
  addEnglish(enAgent);
}
