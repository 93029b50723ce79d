import { css } from 'lit';
import { controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const cobrowseViewStyles = [
  themeTokens,
  controls,
  visuallyHidden,
  css`
    :host {
      display: block;
      --_vc-cb-height: var(--vc-cobrowse-height, 420px);
    }
    :host([hidden]) {
      display: none;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4rem;
      padding: 0.35rem 0;
      font-size: 0.88rem;
    }
    .status {
      flex: 1 1 12rem;
      color: var(--_vc-muted);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .toolbar button {
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
      padding: 0.3em 0.8em;
    }
    .toolbar button[aria-pressed='true'] {
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      border-color: var(--_vc-primary);
    }
    .toolbar button.stop {
      color: var(--_vc-danger);
    }
    .stage {
      position: relative;
      height: var(--_vc-cb-height);
      overflow: hidden;
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      background: var(--_vc-subtle);
    }
    :host([control]) .stage {
      outline: 2px solid var(--vc-cobrowse-color, #c2410c);
    }
    .placeholder {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      color: var(--_vc-muted);
      font-size: 0.9rem;
      padding: 1rem;
      text-align: center;
      pointer-events: none;
    }
  `,
];
