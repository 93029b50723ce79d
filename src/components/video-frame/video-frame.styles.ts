import { css } from 'lit';
import { controls, themeTokens } from '../shared-styles.js';

export const videoFrameStyles = [
  themeTokens,
  controls,
  css`
    :host {
      display: block;
    }
    .stage {
      position: relative;
      background: #111827;
      border-radius: var(--_vc-radius);
      overflow: hidden;
      aspect-ratio: 16 / 9;
      color: #f9fafb;
    }
    video.remote {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    video.self {
      position: absolute;
      inset-inline-end: 0.5rem;
      inset-block-end: 0.5rem;
      width: 28%;
      max-width: 180px;
      aspect-ratio: 16 / 9;
      object-fit: cover;
      border-radius: calc(var(--_vc-radius) * 0.5);
      border: 2px solid rgb(255 255 255 / 0.7);
      transform: scaleX(-1);
      background: #374151;
    }
    .placeholder {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      text-align: center;
      padding: 1rem;
      font-size: 0.95rem;
    }
    .notice {
      margin: 0.5rem 0 0;
      padding: 0.5rem 0.75rem;
      border-radius: calc(var(--_vc-radius) * 0.67);
      font-size: 0.9rem;
      background: color-mix(in srgb, #f59e0b 18%, var(--_vc-surface));
      border: 1px solid color-mix(in srgb, #f59e0b 55%, var(--_vc-surface));
      display: flex;
      gap: 0.5rem;
      align-items: center;
      justify-content: space-between;
    }
    media-controls {
      margin-top: 0.5rem;
    }
  `,
];
