import { css } from 'lit';
import { controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const mediaControlsStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  css`
    :host {
      display: block;
    }
    .bar {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      justify-content: center;
      flex-wrap: wrap;
    }
    button.round {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
      padding: 0.45em 0.8em;
      border: 1px solid var(--_vc-border);
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border-radius: 999px;
      font-size: 0.9em;
    }
    button.round:hover:not(:disabled) {
      background: var(--_vc-subtle);
    }
    button.off {
      background: color-mix(in srgb, var(--_vc-danger) 12%, var(--_vc-surface));
      border-color: color-mix(in srgb, var(--_vc-danger) 45%, var(--_vc-surface));
      color: var(--_vc-danger);
    }
    button.end {
      background: var(--_vc-danger);
      border-color: var(--_vc-danger);
      color: var(--_vc-on-danger);
    }
    button.end:hover:not(:disabled) {
      background: color-mix(in srgb, var(--_vc-danger) 85%, black);
    }
    svg {
      width: 1.2em;
      height: 1.2em;
      flex: none;
    }
    .devices {
      display: flex;
      gap: 0.75rem;
      flex-wrap: wrap;
      justify-content: center;
      margin-top: 0.5rem;
      font-size: 0.85em;
    }
    .devices label {
      display: inline-flex;
      flex-direction: column;
      gap: 0.15rem;
    }
    select {
      font: inherit;
      max-width: 14rem;
      padding: 0.2em 0.3em;
      border-radius: 6px;
      border: 1px solid var(--_vc-border);
      background: var(--_vc-surface);
      color: var(--_vc-text);
    }
  `,
];
