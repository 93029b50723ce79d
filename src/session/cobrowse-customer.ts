import type { SignalMessage } from '../chat/index.js';
import type { CobrowseRecorder, PointerOverlay } from '../cobrowse/index.js';
import { loadCustomerRuntime, type CustomerRuntime } from '../cobrowse/runtime.js';
import type { CobrowseRefusal } from '../protocol/index.js';
import type { CobrowseContext, CobrowseSide } from './cobrowse-session.js';

const RESYNC_MIN_INTERVAL_MS = 1000;

/**
 * The customer's half of cobrowse: records this page masked
 * (src/cobrowse/recorder.ts) while this browser's person consented, shows the
 * agent's pointer and highlights, and performs the agent's actions only while
 * this very page holds a grant (Esc, Stop, navigation or 2 minutes idle end it).
 */
export class CustomerCobrowse implements CobrowseSide {
  private rt?: CustomerRuntime;
  private recorder?: CobrowseRecorder;
  private overlay?: PointerOverlay;
  /** This page granted control (a grant replayed from an earlier page does not count). */
  private controlHere = false;
  private idleTimer?: ReturnType<typeof setTimeout>;
  private lastResyncServed = 0;
  private readonly pageListeners = new Map<string, EventListener>();

  constructor(private readonly cb: CobrowseContext) {}

  /** The recorder while this page is being recorded. */
  get recording(): CobrowseRecorder | undefined {
    return this.recorder?.recording ? this.recorder : undefined;
  }

  flush(): Promise<void> {
    return this.recorder?.flush() ?? Promise.resolve();
  }

  onEphemeral(m: SignalMessage): void {
    const active = this.cb.state().phase === 'active';
    switch (m.type) {
      case 'cobrowse.resync':
        if (active) this.onResync();
        break;
      case 'cobrowse.pointer':
        if (active) this.overlay?.movePointer(m.body.x, m.body.y);
        break;
      case 'cobrowse.highlight':
        if (active) this.onHighlight(m.body.stream, m.body.node);
        break;
      case 'cobrowse.action':
        this.onAction(m.body);
        break;
      default:
        break;
    }
  }

  async reconcile(): Promise<void> {
    const { consent, descriptor } = this.cb;
    const state = this.cb.state();
    const active = state.phase === 'active';
    // The signals say cobrowse runs; only this browser's own consent lets this page be recorded.
    if (active && !this.recorder && consent.load(descriptor.id).cobrowse === true) await this.startRecording();
    if (!active) this.stop();
  }

  stopped(): void {
    this.stop();
  }

  /** Control runs on this page only while this page granted it. */
  controlChanged(): void {
    const on = this.cb.state().control === 'granted' && this.cb.state().phase === 'active';
    this.controlHere = on;
    clearTimeout(this.idleTimer);
    if (on) {
      this.listenPage('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Escape') this.revokeControl();
      });
      this.touchIdle();
    } else {
      this.unlistenPage('keydown');
    }
  }

  dispose(): void {
    this.stop();
  }

  private async startRecording(): Promise<void> {
    const cb = this.cb;
    let rt: CustomerRuntime;
    try {
      rt = this.rt ??= await loadCustomerRuntime();
    } catch (e) {
      cb.update({ error: `This page could not be shared: ${e instanceof Error ? e.message : String(e)}` });
      cb.stop('recording failed');
      return;
    }
    if (cb.disposed() || cb.state().phase !== 'active' || this.recorder) return;
    const recorder = new rt.CobrowseRecorder({
      send: (chunk) => cb.signals.sendEphemeral('cobrowse.chunk', chunk),
      batchMs: cb.options.batchMs,
      blockSelector: cb.options.blockSelector,
      onError: () => { /* rrweb keeps going after a failed observer; nothing to tell the user */ },
    });
    this.recorder = recorder;
    this.overlay ??= new rt.PointerOverlay(cb.peerName() ?? 'Agent');
    this.listenPage('pagehide', () => {
      // Best effort: the next page revokes anyway (its history shows a grant it did not make).
      if (this.controlHere) this.revokeControl();
    });
    try {
      await recorder.start();
      if (this.recorder === recorder) cb.update({ live: true, error: undefined });
    } catch (e) {
      if (this.recorder !== recorder) return;
      cb.update({ error: `This page could not be shared: ${e instanceof Error ? e.message : String(e)}` });
      cb.stop('recording failed');
    }
  }

  private stop(): void {
    this.controlHere = false;
    clearTimeout(this.idleTimer);
    this.recorder?.stop();
    this.recorder = undefined;
    this.overlay?.dispose();
    this.overlay = undefined;
    for (const [type, listener] of this.pageListeners) globalThis.removeEventListener?.(type, listener, true);
    this.pageListeners.clear();
    if (this.cb.state().live) this.cb.update({ live: false });
  }

  private listenPage(type: string, listener: EventListener): void {
    if (this.pageListeners.has(type)) return;
    this.pageListeners.set(type, listener);
    globalThis.addEventListener?.(type, listener, true);
  }

  private unlistenPage(type: string): void {
    const l = this.pageListeners.get(type);
    if (!l) return;
    globalThis.removeEventListener?.(type, l, true);
    this.pageListeners.delete(type);
  }

  private revokeControl(): void {
    if (!this.controlHere) return;
    // Stop acting at once, before the message makes its round trip.
    this.controlHere = false;
    this.cb.answerControl(false);
  }

  private touchIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.revokeControl(), this.cb.options.controlIdleMs ?? 120_000);
  }

  private onResync(): void {
    const now = Date.now();
    if (now - this.lastResyncServed < RESYNC_MIN_INTERVAL_MS) return;
    this.lastResyncServed = now;
    this.recorder?.takeFullSnapshot();
  }

  private onHighlight(stream: string, node: number): void {
    const rec = this.recorder;
    if (!rec || rec.stream !== stream || !this.overlay) return;
    const target = rec.nodeFor(node);
    const el = target?.nodeType === 1 ? (target as Element) : target?.parentElement;
    if (el) this.overlay.highlightElement(el);
  }

  private onAction(body: { stream: string; kind: 'click' | 'input'; node: number; value?: string }): void {
    const rec = this.recorder;
    const rt = this.rt;
    let result: { ok: true } | { ok: false; reason: string; code: CobrowseRefusal };
    if (!this.controlHere || this.cb.state().control !== 'granted') result = { ok: false, reason: 'control is not granted', code: 'no-control' };
    else if (!rec || !rt || rec.stream !== body.stream) result = { ok: false, reason: 'action was aimed at another page', code: 'other-page' };
    else {
      const r = rt.performAction(body, (id) => rec.nodeFor(id));
      result = r.ok ? { ok: true } : { ok: false, reason: r.reason, code: r.code };
      this.touchIdle();
    }
    this.cb.emit('cobrowse-action', { kind: body.kind, node: body.node, ...result });
    // The agent learns what became of its action (a refusal with its code; never the field's value).
    this.cb.signals.sendEphemeral('cobrowse.action-result', {
      stream: body.stream, kind: body.kind, node: body.node, ok: result.ok, ...(result.ok ? {} : { code: result.code }),
    });
  }
}
