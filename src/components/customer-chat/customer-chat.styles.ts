import { css } from 'lit';
import { alertBar, controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const customerChatStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  alertBar,
  css`
    :host {
      font-size: 0.9375rem;
      line-height: 1.4;
      --_vc-offset: var(--vc-offset, 1.25rem);
      /* Clear of a phone's notch and home indicator (non-zero only with viewport-fit=cover). */
      --_vc-edge-bottom: calc(var(--_vc-offset) + env(safe-area-inset-bottom, 0px));
      --_vc-edge-side: calc(var(--_vc-offset) + max(env(safe-area-inset-left, 0px), env(safe-area-inset-right, 0px)));
    }
    :host([hidden]) {
      display: none;
    }
    [hidden] {
      display: none !important;
    }
    .launcher {
      position: fixed;
      z-index: 2147483000;
      inset-inline-end: var(--_vc-edge-side);
      inset-block-end: var(--_vc-edge-bottom);
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.7rem 1.1rem;
      border-radius: 999px;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      border: 0;
      font-weight: 600;
      box-shadow: 0 6px 20px rgb(0 0 0 / 0.2);
    }
    .launcher:hover {
      background: color-mix(in srgb, var(--_vc-primary) 85%, black);
    }
    .launcher svg {
      width: 1.25rem;
      height: 1.25rem;
      fill: currentColor;
    }
    /* The speech bubble's tail points to the reading start: mirror it right to left. */
    .launcher-icon:dir(rtl) {
      transform: scaleX(-1);
    }
    .badge {
      min-width: 1.25rem;
      padding: 0 0.3rem;
      box-sizing: border-box;
      border-radius: 999px;
      background: var(--_vc-on-primary);
      color: var(--_vc-primary);
      font-size: 0.75rem;
      line-height: 1.25rem;
      text-align: center;
    }
    .panel {
      position: fixed;
      z-index: 2147483000;
      inset-inline-end: var(--_vc-edge-side);
      /* --_vc-keyboard / --_vc-visible-height: set while an on-screen keyboard covers the page's bottom. */
      inset-block-end: calc(var(--_vc-edge-bottom) + 3.75rem + var(--_vc-keyboard, 0px));
      width: min(22.5rem, calc(100vw - 2 * var(--_vc-offset)));
      height: min(35rem, calc(var(--_vc-visible-height, 100vh) - var(--_vc-offset) - 5.5rem));
      height: min(35rem, calc(var(--_vc-visible-height, 100dvh) - var(--_vc-offset) - 5.5rem));
      display: flex;
      flex-direction: column;
      background: var(--_vc-surface);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.22);
      overflow: hidden;
      animation: vc-pop 160ms ease-out;
    }
    @keyframes vc-pop {
      from {
        transform: translateY(0.75rem) scale(0.97);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .panel {
        animation: none;
      }
    }
    .panel:focus {
      /* Focus rests on the panel only while its next control is on the way (see _keepFocus). */
      outline: none;
    }
    .header {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding-block: 0.625rem;
      padding-inline: 0.875rem 0.5rem;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
    }
    .heading {
      flex: 1 1 auto;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .title {
      font-weight: 700;
    }
    .status {
      font-size: 0.8125rem;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .close {
      flex: none;
      width: 2rem;
      height: 2rem;
      display: grid;
      place-items: center;
      padding: 0;
      background: transparent;
      color: inherit;
      border: 1px solid transparent;
      font-size: 1.25rem;
      line-height: 1;
    }
    .close:hover {
      background: color-mix(in srgb, var(--_vc-on-primary) 18%, transparent);
    }
    .header :focus-visible {
      outline-color: var(--_vc-on-primary);
    }
    .start,
    .offline,
    .offline-sent,
    .busy,
    .unsupported,
    .ended {
      flex: 1 1 auto;
      display: flex;
      flex-direction: column;
      gap: 0.625rem;
      padding: 1rem 0.875rem;
      overflow-y: auto;
    }
    .unsupported {
      margin: 0;
    }
    .busy {
      align-items: center;
      justify-content: center;
      color: var(--_vc-muted);
    }
    .start p,
    .offline p,
    .offline-sent p {
      margin: 0 0 0.25rem;
    }
    .offline-reason {
      font-weight: 600;
    }
    .start label,
    .offline label {
      font-size: 0.875rem;
      font-weight: 600;
    }
    .offline textarea {
      resize: vertical;
      min-height: 5rem;
    }
    .start input,
    .offline input,
    .offline textarea {
      font: inherit;
      color: var(--_vc-text);
      background: var(--_vc-surface);
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      padding: 0.5rem 0.625rem;
    }
    .start input:focus-visible,
    .offline input:focus-visible,
    .offline textarea:focus-visible {
      outline-offset: 0;
      border-color: var(--_vc-focus);
    }
    .offline [aria-invalid='true'] {
      border-color: var(--_vc-danger);
    }
    .field-error {
      color: var(--_vc-danger);
      font-size: 0.8125rem;
      margin-block-start: -0.375rem;
    }
    .field-error:empty {
      display: none;
    }
    .start button,
    .offline button,
    .offline-sent button {
      align-self: flex-start;
    }
    .waiting-note {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 0.5rem;
      margin: 0.5rem 0.75rem 0;
      padding: 0.5rem 0.625rem;
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      background: var(--_vc-subtle);
      font-size: 0.875rem;
    }
    chat-transcript {
      flex: 1 1 auto;
      min-height: 0;
    }
    chat-composer {
      flex: none;
      border-block-start: 1px solid var(--_vc-border);
    }
    .ended {
      flex: none;
      align-items: center;
      border-block-start: 1px solid var(--_vc-border);
      padding: 0.75rem;
    }
  
    video-frame,
    video-invite,
    .video-start {
      margin: 0.5rem 0.75rem 0;
    }
    .video-choices {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 0.25rem;
    }
    .video-note {
      color: var(--_vc-danger);
      font-size: 0.85rem;
      margin: 0.25rem 0 0;
    }
    /* Not an error: this browser cannot do video, the chat goes on. */
    .video-info {
      color: var(--_vc-muted);
      font-size: 0.85rem;
      margin: 0.5rem 0.75rem 0;
    }

    .cobrowse-prompt {
      position: fixed;
      inset-inline-end: var(--_vc-edge-side);
      inset-block-end: calc(var(--_vc-edge-bottom) + 4rem);
      width: min(22rem, calc(100vw - 2 * var(--_vc-offset)));
      z-index: 2147483001;
    }

    /* position="left" / "right": that corner, whatever the language's direction. */
    :host([position='left']) :is(.launcher, .panel, .cobrowse-prompt) {
      inset-inline: auto;
      left: var(--_vc-edge-side);
    }
    :host([position='right']) :is(.launcher, .panel, .cobrowse-prompt) {
      inset-inline: auto;
      right: var(--_vc-edge-side);
    }

    /* A phone: the open panel fills the screen, clear of the notch, the rounded corners and the home indicator. */
    @media (max-width: 30rem), (max-height: 30rem) {
      .panel,
      :host([position]) .panel {
        inset: 0;
        width: auto;
        height: 100vh;
        /* With an on-screen keyboard up, only what is visible above it (the message box stays in sight). */
        height: var(--_vc-visible-height, 100dvh);
        max-height: none;
        border: 0;
        border-radius: 0;
        box-shadow: none;
        animation: none;
        padding-inline: env(safe-area-inset-left, 0px) env(safe-area-inset-right, 0px);
        padding-block-end: env(safe-area-inset-bottom, 0px);
        box-sizing: border-box;
      }
      .header {
        margin-inline: calc(-1 * env(safe-area-inset-left, 0px)) calc(-1 * env(safe-area-inset-right, 0px));
        padding-block-start: calc(0.625rem + env(safe-area-inset-top, 0px));
        padding-inline: calc(0.875rem + env(safe-area-inset-left, 0px)) calc(0.5rem + env(safe-area-inset-right, 0px));
      }
      /* Covered by the panel: out of the way of Tab too. */
      :host([open]) .launcher {
        display: none;
      }
      .cobrowse-prompt {
        inset-inline: var(--_vc-offset);
        width: auto;
      }
      /* The panel fills the screen: the cobrowse pill waits below its title bar, off the message box. */
      :host([open]) cobrowse-banner[fixed]:not([moved]) {
        inset-block: calc(4rem + env(safe-area-inset-top, 0px)) auto;
      }
    }
`,
];
