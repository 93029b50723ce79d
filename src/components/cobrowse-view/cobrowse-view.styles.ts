import { css } from 'lit';
import { controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const cobrowseViewStyles = [
  themeTokens,
  controls,
  visuallyHidden,
  css`
    :host {
      display: block;
      min-width: 0;
      max-width: 100%;
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
      box-sizing: border-box;
      width: 100%;
      height: var(--_vc-cb-height);
      /* The replay is scaled into this box: its full-size layout must not widen anything around it. */
      contain: inline-size;
      overflow: hidden;
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      background: var(--_vc-subtle);
    }
    /* Live: the customer's viewport's shape (set inline), as wide as the view, at most --vc-cobrowse-height tall. */
    .stage.sized {
      height: auto;
      max-height: var(--_vc-cb-height);
    }
    .legend {
      display: flex;
      align-items: center;
      gap: 0.45rem;
      margin: 0.35rem 0 0;
      font-size: 0.8rem;
      color: var(--_vc-muted);
    }
    .legend .mark {
      flex: none;
      width: 1.1rem;
      height: 0.8rem;
      border: 2px dashed #c2410c;
      border-radius: 2px;
    }
    .refusal {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      margin: 0 0 0.35rem;
      padding: 0.4rem 0.6rem;
      font-size: 0.85rem;
      border-radius: calc(var(--_vc-radius) * 0.5);
      color: var(--_vc-text);
      background: color-mix(in srgb, var(--_vc-danger) 10%, var(--_vc-surface));
      border: 1px solid color-mix(in srgb, var(--_vc-danger) 40%, var(--_vc-surface));
    }
    .refusal span {
      flex: 1 1 auto;
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
