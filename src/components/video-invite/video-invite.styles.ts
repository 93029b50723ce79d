import { controls, promptCard, themeTokens } from '../shared-styles.js';

export const videoInviteStyles = [
  themeTokens,
  controls,
  promptCard,
];
