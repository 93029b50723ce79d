import { css } from 'lit';
import { controls, themeTokens } from '../shared-styles.js';

export const cobrowseBannerStyles = [
  themeTokens,
  controls,
  css`
    :host {
      display: block;
      --_vc-cb-accent: var(--vc-cobrowse-color, #c2410c);
    }
    :host([fixed]) {
      position: fixed;
      inset-block-start: 0;
      inset-inline: 0;
      z-index: 2147483646;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: center;
      gap: 0.5rem 0.75rem;
      padding: 0.4rem 0.75rem;
      background: var(--_vc-surface);
      border-block-end: 3px solid var(--_vc-cb-accent);
      box-shadow: 0 2px 10px rgb(0 0 0 / 0.12);
      font-size: 0.9rem;
    }
    :host([mode='controlling']) .bar {
      background: var(--_vc-cb-accent);
      color: #fff;
    }
    .dot {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      background: var(--_vc-cb-accent);
      flex: none;
    }
    :host([mode='controlling']) .dot {
      background: #fff;
    }
    .text {
      font-weight: 600;
    }
    button {
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
      padding: 0.25em 0.9em;
      font-weight: 600;
    }
    button.stop-control {
      color: light-dark(#7c2d12, #fdba74);
    }
    :host([mode='controlling']) :focus-visible {
      outline-color: #fff;
    }
  `,
];
