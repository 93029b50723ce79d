import { css } from 'lit';
import { controls, themeTokens } from '../shared-styles.js';

export const cobrowseConsentStyles = [
  themeTokens,
  controls,
  css`
    :host {
      display: block;
    }
    .card {
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
      background: var(--_vc-surface);
      padding: 0.9rem;
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.08);
    }
    h2 {
      font-size: 1rem;
      margin: 0 0 0.25rem;
    }
    p {
      margin: 0 0 0.75rem;
      color: var(--_vc-muted);
      font-size: 0.9rem;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
    }
    .btn-secondary {
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
      padding: 0.45em 1em;
    }
    .btn-secondary:hover {
      background: var(--_vc-subtle);
    }
  `,
];
