// The English messages of the customer's cobrowse prompts (<cobrowse-consent>,
// <cobrowse-banner>; the agent's <cobrowse-view>: en-agent.ts): kept out of
// en.ts so a visitor who is never asked to share does not download them.
// Those elements add them with useCobrowseCatalogue() (./cobrowse.ts).
export const enCobrowse = {
  'consent.view-title': 'Share this page?',
  'consent.control-title': 'Let the agent control this page?',
  'consent.view-text': '{name} asks to see this page with you, live. Passwords, payment details and what you type stay hidden. Nothing is shared until you accept, and you can stop at any time.',
  'consent.control-text': '{name} asks to click and fill in fields on this page for you. Passwords and payment fields stay out of reach. Press Esc or Stop at any time to take control back.',
  'consent.share': 'Share this page',
  'consent.dont-share': 'Don’t share',
  'consent.allow-control': 'Allow control',
  'consent.keep-control': 'Keep control',
  'banner.label': 'Cobrowse',
  'banner.viewing': '{name} is viewing this page',
  'banner.controlling': '{name} is controlling this page',
  'banner.stop-control': 'Stop control',
  'banner.stop': 'Stop sharing',
  'banner.move': 'Move the banner to the other side',
} as const;
