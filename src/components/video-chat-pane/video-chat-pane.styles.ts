import { css } from 'lit';
import { alertBar, controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const videoChatPaneStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  alertBar,
  css`
    :host {
      --_vc-alert-padding: 0.375rem 0.75rem;
      display: flex;
      flex-direction: column;
      min-height: 18rem;
      height: 100%;
      box-sizing: border-box;
      background: var(--_vc-surface);
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
      overflow: hidden;
      font-size: 0.9375rem;
    }
    :host([hidden]) {
      display: none;
    }
    [hidden] {
      display: none !important;
    }
    header {
      display: flex;
      align-items: center;
      gap: 0.625rem;
      padding-block: 0.5rem;
      padding-inline: 0.75rem 0.5rem;
      border-block-end: 1px solid var(--_vc-border);
      background: var(--_vc-surface);
    }
    .avatar {
      flex: none;
      display: grid;
      place-items: center;
      width: 2.25rem;
      height: 2.25rem;
      border-radius: 50%;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      font-weight: 700;
      position: relative;
    }
    .avatar::after {
      content: '';
      position: absolute;
      inset-inline-end: -1px;
      inset-block-end: -1px;
      width: 0.7rem;
      height: 0.7rem;
      border-radius: 50%;
      border: 2px solid var(--_vc-surface);
      background: #9ca3af;
    }
    .avatar[data-tone='ok']::after {
      background: #16a34a;
    }
    .avatar[data-tone='wait']::after {
      background: #d97706;
    }
    .avatar[data-tone='bad']::after {
      background: var(--_vc-danger);
    }
    .who {
      flex: 1 1 auto;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .name {
      font-weight: 600;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .status {
      font-size: 0.8125rem;
      color: var(--_vc-muted);
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    vc-menu-button {
      flex: none;
    }
    /* The host's items pass through the pane's slot into the menu button's. */
    slot[name='more']::slotted(*) {
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
    slot[name='more']::slotted(:hover),
    slot[name='more']::slotted(:focus) {
      background: var(--_vc-subtle);
    }
    slot[name='more']::slotted(:focus-visible) {
      outline: 2px solid var(--_vc-focus);
      outline-offset: -2px;
    }
    slot[name='more']::slotted([hidden]) {
      display: none;
    }
    .placeholder {
      padding: 0.45rem 0.625rem;
      color: var(--_vc-muted);
      font-style: italic;
    }
    chat-transcript {
      flex: 1 1 auto;
      min-height: 0;
    }
    chat-composer {
      flex: none;
      border-block-start: 1px solid var(--_vc-border);
    }

    vc-menu-button > button.builtin {
      display: block;
      width: 100%;
      text-align: start;
      background: transparent;
      border: 0;
      padding: 0.45em 0.75em;
      color: inherit;
      border-radius: 6px;
    }
    vc-menu-button > button.builtin:hover:not(:disabled),
    vc-menu-button > button.builtin:focus-visible {
      background: var(--_vc-subtle);
    }
    video-frame,
    .video-note,
    .page-form {
      margin: 0.5rem 0.75rem 0;
    }
    .video-note {
      font-size: 0.9rem;
      color: var(--_vc-muted);
    }
    .page-form {
      display: grid;
      gap: 0.4rem;
      padding: 0.6rem;
      border: 1px solid var(--_vc-border);
      border-radius: calc(var(--_vc-radius) * 0.67);
      font-size: 0.9rem;
    }
    .page-form label {
      display: grid;
      gap: 0.15rem;
    }
    .page-form input {
      font: inherit;
      padding: 0.3em 0.45em;
      border: 1px solid var(--_vc-border);
      border-radius: 6px;
    }
    .page-actions {
      display: flex;
      gap: 0.5rem;
    }
    .page-error {
      color: var(--_vc-danger);
      margin: 0;
    }

    .identity {
      display: flex;
      gap: 0.35rem;
      flex-wrap: wrap;
    }
    .badge {
      font-size: 0.75rem;
      padding: 0.05em 0.45em;
      border-radius: 999px;
      border: 1px solid var(--_vc-border);
      background: var(--_vc-subtle);
    }
    .matches {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.2rem;
    }
    .matches .detail {
      color: var(--_vc-muted);
      font-size: 0.8rem;
      margin-inline-start: 0.4rem;
    }
    .link-status {
      margin: 0;
      color: var(--_vc-muted);
      font-size: 0.85rem;
    }
`,
];
