import { css } from 'lit';
import { alertBar, controls, themeTokens, visuallyHidden } from '../shared-styles.js';

export const agentConsoleStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  alertBar,
  css`
    :host {
      --_vc-console-sidebar: var(--vc-console-sidebar-width, 19rem);
      --_vc-console-bg: var(--vc-console-background, color-mix(in srgb, var(--_vc-text) 5%, var(--_vc-surface)));
      display: block;
      /* The console is normally the page: it fills the viewport and never grows beyond its box. */
      height: 100dvh;
      min-height: 0;
      overflow: hidden;
      /* Clips absolutely positioned descendants too (the transcript's screen-reader-only text would otherwise reach below the page). */
      position: relative;
      contain: paint;
      box-sizing: border-box;
      background: var(--_vc-console-bg);
      font-size: 0.9375rem;
      line-height: 1.4;
    }
    :host([hidden]) {
      display: none;
    }
    [hidden] {
      display: none !important;
    }
    * {
      box-sizing: border-box;
    }
    .console {
      display: grid;
      height: 100%;
      grid-template-columns: minmax(13rem, var(--_vc-console-sidebar)) minmax(0, 1fr);
      grid-template-rows: auto auto minmax(0, 1fr);
      grid-template-areas: 'top top' 'alert alert' 'side main';
    }

    /* ---- top bar ---- */
    .topbar {
      grid-area: top;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.75rem;
      padding: 0.45rem 1rem;
      background: var(--_vc-surface);
      border-bottom: 1px solid var(--_vc-border);
    }
    h1 {
      font-size: 1.05rem;
      margin: 0 0.5rem 0 0;
    }
    .spacer {
      flex: 1 1 auto;
    }
    .team,
    .who,
    .muted-note {
      color: var(--_vc-muted);
      font-size: 0.85rem;
    }
    .presence {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      padding: 0.3em 0.8em;
      background: var(--_vc-surface);
      color: inherit;
      border: 1px solid var(--_vc-border);
      border-radius: 999px;
      font-weight: 600;
    }
    .presence[aria-checked='true'] {
      border-color: color-mix(in srgb, #15803d 60%, var(--_vc-surface));
      background: color-mix(in srgb, #15803d 10%, var(--_vc-surface));
    }
    .dot {
      width: 0.65rem;
      height: 0.65rem;
      border-radius: 50%;
      background: #9ca3af;
    }
    .dot[data-status='available'] {
      background: #15803d;
    }
    .alert {
      grid-area: alert;
    }

    /* ---- sidebar ---- */
    .sidebar {
      grid-area: side;
      display: flex;
      flex-direction: column;
      min-height: 0;
      overflow-y: auto;
      overscroll-behavior: contain;
      padding: 0.5rem 0.75rem 0.75rem;
      background: var(--_vc-surface);
      border-right: 1px solid var(--_vc-border);
    }
    .sidebar h2 {
      font-size: 0.8rem;
      text-transform: uppercase;
      letter-spacing: 0.03em;
      color: var(--_vc-muted);
      margin: 0.9rem 0 0.3rem;
    }
    .status {
      margin: 0;
      font-size: 0.8rem;
      color: var(--_vc-muted);
    }
    .empty {
      margin: 0.2rem 0;
      color: var(--_vc-muted);
      font-style: italic;
      font-size: 0.875rem;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 0.25rem;
    }
    .icon {
      flex: none;
      vertical-align: -0.15em;
    }
    .topbar .btn-ghost {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
    }
    .queue li,
    .offline-list li {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.35rem 0;
      border-top: 1px solid var(--_vc-subtle);
    }
    .queue li:first-child,
    .offline-list li:first-child {
      border-top: 0;
    }
    .offline-list li {
      align-items: flex-start;
    }
    .offline-text {
      font-size: 0.875rem;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      max-height: 6.5em;
      overflow: auto;
    }
    .who {
      flex: 1 1 auto;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .name {
      font-weight: 600;
      color: var(--_vc-text);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .detail {
      font-size: 0.8rem;
      color: var(--_vc-muted);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .conv {
      position: relative;
      display: flex;
      align-items: center;
      gap: 0.55rem;
      padding: 0.4rem 0.5rem;
      border: 1px solid transparent;
      border-radius: calc(var(--_vc-radius) * 0.67);
    }
    .conv:hover {
      background: var(--_vc-subtle);
    }
    .conv.active {
      background: color-mix(in srgb, var(--_vc-primary) 10%, var(--_vc-surface));
      border-color: color-mix(in srgb, var(--_vc-primary) 45%, var(--_vc-surface));
    }
    .conv-button {
      display: block;
      width: 100%;
      padding: 0;
      border: 0;
      background: none;
      text-align: start;
      color: inherit;
      font: inherit;
      font-weight: 600;
    }
    /* The whole row answers the click. */
    .conv-button::after {
      content: '';
      position: absolute;
      inset: 0;
      border-radius: inherit;
    }
    .conv-button:focus-visible {
      outline: none;
    }
    .conv-button:focus-visible::after {
      outline: 2px solid var(--_vc-focus);
      outline-offset: 1px;
    }
    .avatar {
      flex: none;
      display: grid;
      place-items: center;
      width: 2rem;
      height: 2rem;
      border-radius: 50%;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      font-weight: 700;
    }
    .badge {
      flex: none;
      min-width: 1.4rem;
      padding: 0 0.4rem;
      border-radius: 999px;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      font-size: 0.75rem;
      font-weight: 700;
      text-align: center;
    }
    .call {
      flex: none;
    }

    /* ---- call tiles ---- */
    .tiles {
      margin-top: auto;
      padding-top: 0.75rem;
      display: grid;
      gap: 0.5rem;
    }
    .tile {
      display: grid;
      gap: 0.25rem;
    }
    .tile-bar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      font-size: 0.85rem;
    }

    /* ---- the conversation in front ---- */
    .main {
      grid-area: main;
      display: flex;
      flex-direction: column;
      min-height: 0;
      min-width: 0;
      padding: 0.6rem 0.9rem 0.75rem;
    }
    .conv-bar {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      margin-bottom: 0.4rem;
    }
    .conv-bar h2 {
      font-size: 1rem;
      margin: 0 auto 0 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ended-note {
      color: var(--_vc-muted);
      font-size: 0.85rem;
    }
    .end {
      border-color: var(--_vc-border);
    }
    .placeholder {
      color: var(--_vc-muted);
      margin: 1rem 0;
    }
    .panes {
      flex: 1 1 auto;
      min-height: 0;
      display: flex;
      flex-direction: column;
    }
    video-chat-pane {
      flex: 1 1 auto;
      min-height: 0;
      height: 100%;
      /* Its transcript's visually hidden live text is placed in the pane, not at the foot of the page. */
      position: relative;
      /* The cobrowse replay leaves room for the chat. */
      --vc-cobrowse-height: 36vh;
    }
    /* The video frame of the conversation in front fits the height the chat leaves it. */
    video-chat-pane::part(video) {
      flex: none;
      align-self: center;
      width: min(100% - 1.5rem, 40dvh * 16 / 9);
    }

    /* ---- sign-in ---- */
    .sign-in {
      align-self: center;
      margin: 3rem auto;
      width: min(22rem, 100%);
      display: grid;
      gap: 0.75rem;
      padding: 1.25rem;
      background: var(--_vc-surface);
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
    }
    .sign-in h2 {
      margin: 0;
      font-size: 1.1rem;
    }
    .sign-in label {
      display: grid;
      gap: 0.2rem;
    }
    input {
      font: inherit;
      padding: 0.4em 0.5em;
      border: 1px solid var(--_vc-border);
      border-radius: 6px;
      background: var(--_vc-surface);
      color: inherit;
    }
    .form-error {
      margin: 0;
      color: var(--_vc-danger);
      font-size: 0.875rem;
    }
    .form-error:empty {
      display: none;
    }

    /* ---- dialogs ---- */
    dialog {
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
      background: var(--_vc-surface);
      color: var(--_vc-text);
      padding: 1.1rem 1.25rem;
      max-width: min(32rem, 100% - 2rem);
      box-shadow: 0 10px 40px rgb(0 0 0 / 0.25);
    }
    dialog::backdrop {
      background: rgb(0 0 0 / 0.35);
    }
    dialog h2 {
      font-size: 1.05rem;
      margin: 0 0 0.5rem;
    }
    dialog p {
      margin: 0 0 0.75rem;
      color: var(--_vc-muted);
    }
    table {
      border-collapse: collapse;
      margin-bottom: 0.9rem;
      width: 100%;
    }
    th,
    td {
      text-align: start;
      padding: 0.3rem 0.5rem 0.3rem 0;
      border-top: 1px solid var(--_vc-subtle);
      font-weight: normal;
      vertical-align: top;
    }
    th {
      white-space: nowrap;
    }
    kbd {
      font: 0.85em ui-monospace, monospace;
      padding: 0.1em 0.4em;
      border: 1px solid var(--_vc-border);
      border-bottom-width: 2px;
      border-radius: 4px;
      background: var(--_vc-subtle);
    }
    .dialog-actions {
      display: flex;
      gap: 0.5rem;
    }

    @media (max-width: 48rem) {
      .console {
        grid-template-columns: minmax(0, 1fr);
        grid-template-rows: auto auto minmax(8rem, 35%) minmax(0, 1fr);
        grid-template-areas: 'top' 'alert' 'side' 'main';
      }
      .sidebar {
        border-right: 0;
        border-bottom: 1px solid var(--_vc-border);
      }
    }
    @media (forced-colors: active) {
      .conv.active {
        outline: 2px solid Highlight;
      }
      .badge {
        border: 1px solid CanvasText;
      }
      .dot[data-status='available'] {
        background: Highlight;
      }
    }
  `,
];
