import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * How much of the layout viewport an on-screen keyboard covers. iOS Safari
 * (and Chrome with `interactive-widget=resizes-visual`, its default) shrink
 * only the visual viewport when the keyboard opens: fixed elements stay where
 * they were, under the keyboard. The widget's panel is lifted by `covered`
 * and kept as tall as what is visible, so the message box stays in sight.
 * Pinch zoom also shrinks the visual viewport; that is not a keyboard.
 */
export class KeyboardInsetController implements ReactiveController {
  /** px of the layout viewport hidden below the visual viewport (0: no keyboard). */
  covered = 0;
  /** Height of the visual viewport while a keyboard covers part of the page. */
  visibleHeight?: number;

  /** `panel`: the element the custom properties go on (set through the CSSOM, as a strict style-src CSP allows). */
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly panel: () => HTMLElement | null | undefined,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const style = this.panel()?.style;
    if (!style) return;
    const lifted = this.covered !== 0 && this.visibleHeight !== undefined;
    for (const [name, value] of [['--_vc-keyboard', `${this.covered}px`], ['--_vc-visible-height', `${this.visibleHeight}px`]]) {
      if (lifted) style.setProperty(name, value);
      else style.removeProperty(name);
    }
  }

  hostConnected(): void {
    globalThis.visualViewport?.addEventListener('resize', this.sync);
    globalThis.visualViewport?.addEventListener('scroll', this.sync);
    this.sync();
  }

  hostDisconnected(): void {
    globalThis.visualViewport?.removeEventListener('resize', this.sync);
    globalThis.visualViewport?.removeEventListener('scroll', this.sync);
  }

  private readonly sync = (): void => {
    const vv = globalThis.visualViewport;
    let covered = 0;
    if (vv && Math.abs(vv.scale - 1) < 0.01) covered = Math.max(0, Math.round(window.innerHeight - vv.offsetTop - vv.height));
    const visibleHeight = covered > 0 ? Math.round(vv!.height) : undefined;
    if (covered === this.covered && visibleHeight === this.visibleHeight) return;
    this.covered = covered;
    this.visibleHeight = visibleHeight;
    this.host.requestUpdate();
  };
}
