/**
 * The agent's pointer and highlight, drawn on the customer's page: a
 * zero-size fixed host with its own shadow root (page styles can't reach it,
 * it can't take clicks), marked so the recorder never records it.
 */

const STYLE = `
  :host { all: initial; }
  .pointer, .highlight { position: fixed; pointer-events: none; z-index: 2147483647; display: none; }
  .pointer { width: 18px; height: 18px; margin: -9px 0 0 -9px; border-radius: 50%;
    background: rgb(234 88 12 / 0.85); box-shadow: 0 0 0 3px rgb(255 255 255 / 0.9), 0 1px 6px rgb(0 0 0 / 0.4);
    transition: left 60ms linear, top 60ms linear; }
  .label { position: absolute; left: 14px; top: 12px; padding: 2px 6px; border-radius: 4px; white-space: nowrap;
    font: 12px/1.3 system-ui, sans-serif; color: #fff; background: rgb(234 88 12); }
  .highlight { border: 3px solid rgb(234 88 12); border-radius: 6px; box-shadow: 0 0 0 4px rgb(234 88 12 / 0.25); }
  @media (prefers-reduced-motion: reduce) { .pointer { transition: none; } }
`;

export class PointerOverlay {
  private readonly host: HTMLElement;
  private readonly pointer: HTMLElement;
  private readonly highlight: HTMLElement;
  private highlighted?: Element;
  private highlightUntil = 0;
  private frame?: number;
  private pointerTimer?: ReturnType<typeof setTimeout>;

  constructor(label = 'Agent', private readonly doc: Document = document) {
    const host = doc.createElement('div');
    host.setAttribute('data-vc-cobrowse-ui', 'overlay');
    host.setAttribute('data-vc-block', '');
    host.setAttribute('aria-hidden', 'true');
    host.style.cssText = 'position:fixed;left:0;top:0;width:0;height:0;overflow:visible;z-index:2147483647;pointer-events:none;';
    const root = host.attachShadow({ mode: 'open' });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    this.pointer = doc.createElement('div');
    this.pointer.className = 'pointer';
    const tag = doc.createElement('span');
    tag.className = 'label';
    tag.textContent = label;
    this.pointer.append(tag);
    this.highlight = doc.createElement('div');
    this.highlight.className = 'highlight';
    root.append(style, this.highlight, this.pointer);
    this.host = host;
    doc.documentElement.append(host);
  }

  /** Shows the agent's pointer at a fraction of the viewport; hides after a few idle seconds. */
  movePointer(x: number, y: number): void {
    const win = this.doc.defaultView;
    if (!win) return;
    this.pointer.style.left = `${Math.round(x * win.innerWidth)}px`;
    this.pointer.style.top = `${Math.round(y * win.innerHeight)}px`;
    this.pointer.style.display = 'block';
    clearTimeout(this.pointerTimer);
    this.pointerTimer = setTimeout(() => { this.pointer.style.display = 'none'; }, 4000);
  }

  /** Outlines `el` for a few seconds, following it while the page scrolls. */
  highlightElement(el: Element, ms = 4000): void {
    this.highlighted = el;
    this.highlightUntil = performance.now() + ms;
    this.track();
  }

  /** Whether the overlay is on the page (tests). */
  get attached(): boolean {
    return this.host.isConnected;
  }

  dispose(): void {
    clearTimeout(this.pointerTimer);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.highlighted = undefined;
    this.host.remove();
  }

  private track = (): void => {
    this.frame = undefined;
    const el = this.highlighted;
    if (!el || !el.isConnected || performance.now() > this.highlightUntil) {
      this.highlighted = undefined;
      this.highlight.style.display = 'none';
      return;
    }
    const r = el.getBoundingClientRect();
    Object.assign(this.highlight.style, { display: 'block', left: `${r.left - 4}px`, top: `${r.top - 4}px`, width: `${r.width + 2}px`, height: `${r.height + 2}px` });
    this.frame = requestAnimationFrame(this.track);
  };
}
