import type { LitElement } from 'lit';

/**
 * Where keyboard focus goes next in the widget when what had it went away:
 * `composer` the message box, `video` the video controls, `form` the first
 * field (or button) of whatever form the panel shows.
 */
export type FocusWish = 'composer' | 'video' | 'form';

/** Waits for an element (and, through open shadow roots, the elements it renders) to finish rendering. */
async function settled(el: Element | null | undefined): Promise<void> {
  const lit = el as Partial<LitElement> | null | undefined;
  if (lit?.updateComplete) await lit.updateComplete;
}

function usable(el: HTMLElement | null | undefined): el is HTMLElement {
  if (!el) return false;
  if ((el as HTMLButtonElement).disabled) return false;
  // Rendered (not display: none, not in a hidden subtree).
  return el.getClientRects().length > 0;
}

/**
 * The first control a person operates in `host`'s video frame: the media
 * controls' first enabled button (Pause video), else anything focusable the
 * frame shows (an unmute prompt, Play sound). Looks through open shadow
 * roots, waiting for each to render: the frame and its controls are other
 * elements' business.
 */
async function videoControl(root: ShadowRoot): Promise<HTMLElement | undefined> {
  const frame = root.querySelector<HTMLElement>('video-frame');
  if (!frame) return undefined;
  await settled(frame);
  const controls = frame.shadowRoot?.querySelector<HTMLElement>('media-controls');
  await settled(controls);
  const inControls = [...(controls?.shadowRoot?.querySelectorAll<HTMLElement>('button') ?? [])].find(usable);
  if (inControls) return inControls;
  return [...(frame.shadowRoot?.querySelectorAll<HTMLElement>('button, [tabindex="0"]') ?? [])].find(usable);
}

/** The element to focus for `wish` in the widget's shadow root, once it is there and usable; undefined while it is not. */
export async function focusTarget(root: ShadowRoot, wish: FocusWish): Promise<HTMLElement | undefined> {
  if (wish === 'video') return videoControl(root);
  if (wish === 'composer') {
    const composer = root.querySelector<HTMLElement & { disabled?: boolean }>('chat-composer');
    await settled(composer);
    // The composer delegates focus to its message box.
    if (composer && !composer.disabled && composer.getClientRects().length > 0) return composer;
    return undefined;
  }
  const form = root.querySelector('.panel form, .panel .offline-sent, .panel .ended');
  return [...(form?.querySelectorAll<HTMLElement>('input, textarea, button') ?? [])].find(usable);
}
