import { css } from 'lit';
import { controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const chatComposerStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  css`
    :host {
      display: block;
      font-size: 0.9375rem;
    }
    :host([hidden]) {
      display: none;
    }
    form {
      display: flex;
      align-items: flex-end;
      gap: 0.5rem;
      padding: 0.5rem;
      background: var(--_vc-surface);
    }
    .field {
      flex: 1 1 auto;
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    textarea {
      font: inherit;
      color: var(--_vc-text);
      background: var(--_vc-surface);
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      padding: 0.5rem 0.625rem;
      resize: none;
      line-height: 1.4;
      box-sizing: border-box;
      min-height: calc(1.4em + 1rem + 2px);
      max-height: 8.5em;
      overflow-y: auto;
      transition: border-color var(--_vc-transition);
    }
    textarea:focus-visible {
      outline: 2px solid var(--_vc-focus);
      outline-offset: 0;
      border-color: var(--_vc-focus);
    }
    textarea::placeholder {
      color: var(--_vc-muted);
    }
    textarea:disabled {
      background: var(--_vc-subtle);
      cursor: not-allowed;
    }
    .counter {
      font-size: 0.75rem;
      color: var(--_vc-muted);
      text-align: end;
      padding: 0.125rem 0.25rem 0;
    }
    .counter.over {
      color: var(--_vc-danger);
      font-weight: 600;
    }
    .send {
      flex: none;
      min-height: calc(1.4em + 1rem + 2px);
    }
  `,
];
