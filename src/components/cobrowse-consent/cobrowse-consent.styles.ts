import { controls, promptCard, themeTokens } from '../shared-styles.js';

export const cobrowseConsentStyles = [
  themeTokens,
  controls,
  promptCard,
];
