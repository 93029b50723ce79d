import { css } from 'lit';
import { controls, themeTokens } from '../shared-styles.js';

export const videoFrameStyles = [
  themeTokens,
  controls,
  css`
    :host {
      display: block;
      min-width: 0;
      max-width: 100%;
    }
    .stage {
      position: relative;
      box-sizing: border-box;
      width: 100%;
      /* 16:9 up to the tallest the host allows; wider panes letterbox rather than grow. */
      aspect-ratio: 16 / 9;
      max-height: var(--vc-video-max-height, 50vh);
      min-height: 9rem;
      background: #111827;
      border-radius: var(--_vc-radius);
      overflow: hidden;
      color: #f9fafb;
    }
    video {
      display: block;
    }
    /* Author styles beat the hidden attribute: say it again, so a paused side never shows its last frame. */
    video.off,
    video[hidden] {
      display: none !important;
    }
    video.remote {
      width: 100%;
      height: 100%;
      max-width: 100%;
      object-fit: contain;
      background: #000;
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

    /* Connection quality: four bars, lit as many as the level deserves (colour is not the only cue). */
    .quality {
      position: absolute;
      z-index: 2;
      inset-inline-start: 0.5rem;
      inset-block-start: 0.5rem;
      display: inline-flex;
      align-items: flex-end;
      gap: 2px;
      height: 14px;
      padding: 3px 4px;
      border-radius: 4px;
      background: rgb(0 0 0 / 0.45);
    }
    .quality i {
      display: block;
      width: 3px;
      background: rgb(255 255 255 / 0.35);
    }
    .quality i:nth-child(1) { height: 25%; }
    .quality i:nth-child(2) { height: 50%; }
    .quality i:nth-child(3) { height: 75%; }
    .quality i:nth-child(4) { height: 100%; }
    .quality.good i,
    .quality.fair i:nth-child(-n + 3),
    .quality.poor i:nth-child(-n + 2),
    .quality.bad i:nth-child(1) {
      background: #f9fafb;
    }
    .quality.poor i:nth-child(-n + 2),
    .quality.bad i:nth-child(1) {
      background: #fca5a5;
    }
    @media (forced-colors: active) {
      .quality i { background: GrayText; }
      .quality.good i,
      .quality.fair i:nth-child(-n + 3),
      .quality.poor i:nth-child(-n + 2),
      .quality.bad i:nth-child(1) {
        background: CanvasText;
      }
    }

    /* A side without video: avatar, name, level, state. */
    .tile {
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 0.4rem;
      text-align: center;
      min-width: 0;
    }
    .tile.peer {
      position: absolute;
      inset: 0;
      padding: 0.75rem;
      /* Opaque: nothing of the video element can show through. */
      background: #111827;
    }
    .tile.peer.caption {
      inset: auto 0 0 0;
      padding: 0.35rem 0.75rem;
      background: rgb(17 24 39 / 0.72);
      pointer-events: none;
    }
    .tile.peer.caption .state:empty {
      display: none;
    }
    .tile.peer.caption:has(.state:empty) {
      display: none;
    }
    .tile.self {
      position: absolute;
      inset-inline-end: 0.5rem;
      inset-block-end: 0.5rem;
      flex-direction: row;
      gap: 0.4rem;
      padding: 0.3rem 0.5rem;
      border-radius: 999px;
      background: rgb(55 65 81 / 0.92);
      font-size: 0.8rem;
      max-width: 45%;
    }
    .tile.self .who {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .avatar {
      flex: none;
      display: grid;
      place-items: center;
      width: 3.25rem;
      height: 3.25rem;
      border-radius: 50%;
      background: var(--_vc-primary);
      color: var(--_vc-on-primary);
      font-weight: 700;
      font-size: 1.15rem;
      letter-spacing: 0.02em;
    }
    .tile.self .avatar {
      width: 1.75rem;
      height: 1.75rem;
      font-size: 0.75rem;
    }
    .who {
      font-weight: 600;
      max-width: 100%;
    }
    .state {
      margin: 0;
      font-size: 0.9rem;
      max-width: 36rem;
    }
    /* The native <meter>, drawn as a thin bar. */
    .meter {
      -webkit-appearance: none;
      appearance: none;
      display: block;
      width: 6rem;
      height: 0.375rem;
      border: 0;
      border-radius: 999px;
      background: rgb(255 255 255 / 0.22);
      overflow: hidden;
      flex: none;
    }
    .tile.self .meter {
      width: 3rem;
    }
    .meter::-webkit-meter-bar {
      background: transparent;
      border: 0;
      height: 100%;
    }
    .meter::-webkit-meter-optimum-value,
    .meter::-webkit-meter-suboptimum-value,
    .meter::-webkit-meter-even-less-good-value {
      background: #22c55e;
      transition: inline-size 90ms linear;
    }
    .meter::-moz-meter-bar {
      background: #22c55e;
    }
    @media (prefers-reduced-motion: reduce) {
      .meter::-webkit-meter-optimum-value,
      .meter::-webkit-meter-suboptimum-value,
      .meter::-webkit-meter-even-less-good-value {
        transition: none;
      }
    }

    /* A voice call: both sides side by side, no video box. */
    .stage.voice {
      aspect-ratio: auto;
      max-height: none;
      min-height: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      padding: 0.75rem;
      background: var(--_vc-subtle);
      color: var(--_vc-text);
      border: 1px solid var(--_vc-border);
    }
    .stage.voice .tile {
      position: static;
      flex: 1 1 8rem;
      background: transparent;
      padding: 0.25rem;
      border-radius: 0;
      max-width: none;
      flex-direction: column;
      font-size: inherit;
    }
    .stage.voice .tile.self .avatar {
      width: 3.25rem;
      height: 3.25rem;
      font-size: 1.15rem;
    }
    .stage.voice .meter {
      width: 6rem;
      background: color-mix(in srgb, var(--_vc-text) 15%, var(--_vc-surface));
    }
    .stage.voice .meter::-webkit-meter-optimum-value,
    .stage.voice .meter::-webkit-meter-suboptimum-value,
    .stage.voice .meter::-webkit-meter-even-less-good-value {
      background: #15803d;
    }
    .stage.voice .meter::-moz-meter-bar {
      background: #15803d;
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
    @media (forced-colors: active) {
      .meter {
        border: 1px solid CanvasText;
      }
    }
  `,
];
