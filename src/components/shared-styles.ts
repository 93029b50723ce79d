import { css, unsafeCSS } from 'lit';

/**
 * Theme tokens shared by every element. Each `--vc-*` custom property can be set
 * on any ancestor (custom properties inherit through shadow roots); the private
 * `--_vc-*` ones hold the resolved values with their defaults.
 *
 * Dark mode: the defaults are `light-dark(light, dark)` pairs and the elements
 * declare `color-scheme: light dark`, so they follow the visitor's
 * `prefers-color-scheme`. A site's own `--vc-color-*` values always win (they
 * are read first), and a site that sets `--vc-color-surface` has chosen its
 * colours: then the elements take the page's own color-scheme (light unless
 * the page says otherwise), so a light site background never gets the dark
 * defaults' light text.
 *
 * scripts/check-manifest.mjs checks that each `var(--vc-…, default)` here and
 * in the elements' styles is documented (@cssprop) with that same default.
 */
const colorScheme = unsafeCSS('color-scheme');

export const themeTokens = css`
  :host {
    /* Unset surface: follow the visitor (light dark). A site's surface colour makes this invalid at
       computed-value time, so the host inherits the page's own color-scheme (normal = light).
       The property name is interpolated only because lit-analyzer's CSS data predates color-scheme. */
    ${colorScheme}: var(--vc-color-surface, light dark);
    --_vc-primary: var(--vc-color-primary, light-dark(#1d4ed8, #2563eb));
    --_vc-on-primary: var(--vc-color-on-primary, #ffffff);
    --_vc-surface: var(--vc-color-surface, light-dark(#ffffff, #16181d));
    --_vc-text: var(--vc-color-text, light-dark(#1f2937, #e5e7eb));
    --_vc-radius: var(--vc-radius, 12px);
    --_vc-font: var(--vc-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_vc-muted: color-mix(in srgb, var(--_vc-text) 72%, var(--_vc-surface));
    --_vc-subtle: color-mix(in srgb, var(--_vc-text) 7%, var(--_vc-surface));
    --_vc-border: color-mix(in srgb, var(--_vc-text) 18%, var(--_vc-surface));
    --_vc-danger: var(--vc-color-danger, light-dark(#b91c1c, #f87171));
    --_vc-on-danger: var(--vc-color-on-danger, light-dark(#ffffff, #16181d));
    --_vc-focus: var(--vc-color-focus, var(--_vc-primary));
    --_vc-transition: 120ms ease-out;
    font-family: var(--_vc-font);
    color: var(--_vc-text);
  }
  @media (prefers-reduced-motion: reduce) {
    :host {
      --_vc-transition: 0s;
    }
  }
`;

/**
 * Windows High Contrast and other forced-colors modes: the browser paints
 * system colours; keep every control's edge and the focus ring visible
 * (transparent borders would vanish) and mark the bubbles and cards.
 */
export const forcedColors = css`
  /* !important: these must beat every element's own border and outline rules, whatever their order. */
  @media (forced-colors: active) {
    button,
    input,
    select,
    textarea {
      border: 1px solid ButtonText !important;
    }
    button:disabled {
      border-color: GrayText !important;
      color: GrayText;
    }
    :focus-visible {
      outline: 2px solid Highlight !important;
      outline-offset: 2px;
    }
    .bubble,
    .card,
    .system,
    .panel,
    .notice,
    .alert:not(:empty) {
      border: 1px solid CanvasText;
    }
  }
`;

/** Hidden visually, still read by screen readers. */
export const visuallyHidden = css`
  .sr-only {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
`;

/** Buttons and focus rings as the house style draws them (with the forced-colors rules). */
export const controls = [forcedColors, css`
  :focus-visible {
    outline: 2px solid var(--_vc-focus);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: calc(var(--_vc-radius) * 0.67);
    transition: background-color var(--_vc-transition), border-color var(--_vc-transition), box-shadow var(--_vc-transition);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .btn-primary {
    background: var(--_vc-primary);
    color: var(--_vc-on-primary);
    border: 1px solid var(--_vc-primary);
    padding: 0.45em 1em;
    font-weight: 600;
  }
  .btn-primary:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_vc-primary) 85%, black);
  }
  .btn-ghost {
    background: transparent;
    color: inherit;
    border: 1px solid transparent;
    padding: 0.35em 0.6em;
  }
  .btn-ghost:hover:not(:disabled) {
    background: var(--_vc-subtle);
    border-color: var(--_vc-border);
  }
`];

/** A prompt card with a title, a sentence and a row of choices (video invitation, cobrowse consent). */
export const promptCard = css`
  :host {
    display: block;
  }
  .card {
    border: 1px solid var(--_vc-border);
    border-radius: var(--_vc-radius);
    background: var(--_vc-surface);
    padding: 0.9rem;
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.08);
  }
  h2 {
    font-size: 1rem;
    margin: 0 0 0.25rem;
  }
  p {
    margin: 0 0 0.75rem;
    color: var(--_vc-muted);
    font-size: 0.9rem;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .btn-secondary {
    background: var(--_vc-surface);
    color: var(--_vc-text);
    border: 1px solid var(--_vc-border);
    padding: 0.45em 1em;
  }
  .btn-secondary:hover {
    background: var(--_vc-subtle);
  }
`;

/** The error bar under a header (role="alert"); hidden while empty. */
export const alertBar = css`
  .alert:empty {
    display: none;
  }
  .alert {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: var(--_vc-alert-padding, 0.5rem 0.875rem);
    font-size: 0.875rem;
    color: var(--_vc-danger);
    background: color-mix(in srgb, var(--_vc-danger) 8%, var(--_vc-surface));
    border-block-end: 1px solid color-mix(in srgb, var(--_vc-danger) 30%, var(--_vc-surface));
  }
  .alert span {
    flex: 1 1 auto;
  }
`;
