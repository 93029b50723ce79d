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
    /* A pill in a bottom corner, never over the top of the page where sites keep their navigation. */
    :host([fixed]) {
      position: fixed;
      z-index: 2147483646;
      inset-block-end: calc(var(--vc-offset, 1.25rem) + env(safe-area-inset-bottom, 0px));
      inset-inline-start: calc(var(--vc-offset, 1.25rem) + max(env(safe-area-inset-left, 0px), env(safe-area-inset-right, 0px)));
      max-width: calc(100vw - 2 * var(--vc-offset, 1.25rem));
      touch-action: none;
    }
    /* The other bottom corner: above the widget's launcher. */
    :host([fixed][side='end']) {
      inset-inline-start: auto;
      inset-inline-end: calc(var(--vc-offset, 1.25rem) + max(env(safe-area-inset-left, 0px), env(safe-area-inset-right, 0px)));
      inset-block-end: calc(var(--vc-offset, 1.25rem) + 4rem + env(safe-area-inset-bottom, 0px));
    }
    /* Dragged: its inline left/top place it. */
    :host([fixed][moved]) {
      inset: auto;
    }
    :host([fixed]) .bar {
      flex-wrap: nowrap;
      justify-content: flex-start;
      gap: 0.5rem;
      padding-block: 0.3rem;
      padding-inline: 0.25rem 0.35rem;
      border: 2px solid var(--_vc-cb-accent);
      border-radius: 999px;
      box-shadow: 0 6px 20px rgb(0 0 0 / 0.2);
      cursor: grab;
      user-select: none;
    }
    :host([fixed]) .bar:active {
      cursor: grabbing;
    }
    :host([fixed]) .text {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      min-width: 0;
    }
    :host([fixed]) button:not(.grip) {
      border-radius: 999px;
      white-space: nowrap;
    }
    .grip {
      flex: none;
      display: grid;
      place-items: center;
      width: 1.75rem;
      height: 1.75rem;
      padding: 0;
      background: transparent;
      border-color: transparent;
      color: inherit;
      cursor: grab;
    }
    .grip svg {
      width: 0.65rem;
      height: 1rem;
      fill: currentColor;
      opacity: 0.7;
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
    :host([mode='controlling']) .grip {
      background: transparent;
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
