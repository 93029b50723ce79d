import { css } from 'lit';
import { controls, themeTokens } from '../shared-styles.js';

export const vcMenuButtonStyles = [
  themeTokens,
  controls,
  css`
    :host {
      display: inline-block;
      position: relative;
    }
    :host([hidden]) {
      display: none;
    }
    [hidden] {
      display: none !important;
    }
    .button {
      display: inline-flex;
      align-items: center;
      gap: 0.25rem;
      background: transparent;
      color: inherit;
      border: 1px solid transparent;
      padding: 0.35em 0.6em;
    }
    .button:hover:not(:disabled),
    .button[aria-expanded='true'] {
      background: var(--_vc-subtle);
      border-color: var(--_vc-border);
    }
    .menu {
      position: absolute;
      z-index: 10;
      inset-inline-end: 0;
      top: calc(100% + 0.25rem);
      min-width: var(--vc-menu-min-width, 12rem);
      padding: 0.25rem;
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      box-shadow: 0 8px 24px rgb(0 0 0 / 0.14);
      display: flex;
      flex-direction: column;
    }
    .item,
    ::slotted(*) {
      display: block;
      width: 100%;
      box-sizing: border-box;
      text-align: start;
      font: inherit;
      color: inherit;
      background: transparent;
      border: 0;
      border-radius: calc(var(--_vc-radius) * 0.5);
      padding: 0.45rem 0.625rem;
      cursor: pointer;
    }
    .item:hover:not(:disabled),
    .item:focus,
    ::slotted(:hover),
    ::slotted(:focus) {
      background: var(--_vc-subtle);
    }
    .item:focus-visible,
    ::slotted(:focus-visible) {
      outline: 2px solid var(--_vc-focus);
      outline-offset: -2px;
    }
    ::slotted([hidden]) {
      display: none;
    }
  `,
];
