import { css } from 'lit';
import { themeTokens, visuallyHidden, controls } from '../shared-styles.js';

export const chatTranscriptStyles = [
  themeTokens,
  visuallyHidden,
  controls,
  css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      font-size: 0.9375rem;
      line-height: 1.4;
    }
    :host([hidden]) {
      display: none;
    }
    .log {
      flex: 1 1 auto;
      min-height: 0;
      overflow-y: auto;
      overscroll-behavior: contain;
      padding: 0.75rem;
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      background: var(--_vc-surface);
      scroll-behavior: auto;
    }
    .log:focus-visible {
      outline-offset: -2px;
    }
    .empty {
      margin: auto;
      color: var(--_vc-muted);
      font-size: 0.875rem;
    }
    .msg {
      display: flex;
      flex-direction: column;
      max-width: 82%;
      align-self: flex-start;
      gap: 0.125rem;
    }
    .msg.mine {
      align-self: flex-end;
      align-items: flex-end;
    }
    .meta {
      display: flex;
      gap: 0.375rem;
      align-items: baseline;
      font-size: 0.75rem;
      color: var(--_vc-muted);
      padding: 0 0.25rem;
    }
    .author {
      font-weight: 600;
      color: var(--_vc-text);
    }
    .bubble {
      margin: 0;
      padding: 0.5rem 0.75rem;
      border-radius: var(--_vc-radius);
      border-end-start-radius: calc(var(--_vc-radius) * 0.25);
      background: var(--_vc-subtle);
      color: var(--_vc-text);
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .mine .bubble {
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      border-end-start-radius: var(--_vc-radius);
      border-end-end-radius: calc(var(--_vc-radius) * 0.25);
    }
    .delivery {
      font-size: 0.6875rem;
      color: var(--_vc-muted);
      padding: 0 0.25rem;
    }
    .delivery[data-state='sending'],
    .delivery[data-state='held'] {
      font-style: italic;
    }
    .card {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      padding: 0.625rem 0.75rem;
      border: 1px solid var(--_vc-border);
      border-radius: var(--_vc-radius);
      background: var(--_vc-surface);
      min-width: 12rem;
    }
    .page-title {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .page-host,
    .page-state {
      font-size: 0.8125rem;
      color: var(--_vc-muted);
      overflow-wrap: anywhere;
    }
    .page-open {
      align-self: flex-start;
      margin-top: 0.25rem;
    }
    .system {
      align-self: center;
      text-align: center;
      font-size: 0.8125rem;
      color: var(--_vc-muted);
      padding: 0.125rem 0.75rem;
      border-radius: 999px;
      background: var(--_vc-subtle);
      max-width: 90%;
      overflow-wrap: anywhere;
    }
    .typing {
      min-height: 1.25rem;
      padding: 0 0.875rem 0.25rem;
      font-size: 0.8125rem;
      font-style: italic;
      color: var(--_vc-muted);
      background: var(--_vc-surface);
    }
  `,
];
