import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { VideoController, VideoPhase } from '../session/index.js';
import type { DeviceChoice } from './media-controls/media-controls.js';
import type { VcDeviceRequestDetail, VcMuteRequestDetail, VcPauseRequestDetail } from './events.js';
import { reasonOf } from './errors.js';

/**
 * Shared by the agent pane and the customer widget: performs the requests
 * that bubble out of `<video-frame>` (mute, pause, end, device) on the
 * conversation, and loads the device lists once video starts (labels are only
 * readable after capture permission).
 */
export class VideoRequestsController implements ReactiveController {
  cameras: DeviceChoice[] = [];
  microphones: DeviceChoice[] = [];
  /** What the last request threw (its message; `errorIn(locale)` says it in a locale when it has a code). */
  error?: string;
  private thrown?: unknown;
  private lastPhase: VideoPhase = 'idle';

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly target: () => VideoController | undefined) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('vc-mute-request', this.onMute);
    this.host.addEventListener('vc-pause-request', this.onPause);
    this.host.addEventListener('vc-end-request', this.onEnd);
    this.host.addEventListener('vc-device-request', this.onDevice);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('vc-mute-request', this.onMute);
    this.host.removeEventListener('vc-pause-request', this.onPause);
    this.host.removeEventListener('vc-end-request', this.onEnd);
    this.host.removeEventListener('vc-device-request', this.onDevice);
  }

  /** The last error in `locale`, if any. */
  errorIn(locale: string): string | undefined {
    return this.error === undefined ? undefined : reasonOf(this.thrown, locale);
  }

  hostUpdate(): void {
    const phase = this.target()?.state.phase ?? 'idle';
    if (phase === 'active' && this.lastPhase !== 'active') void this.loadDevices();
    this.lastPhase = phase;
  }

  private async loadDevices(): Promise<void> {
    try {
      const d = await this.target()?.listDevices();
      if (!d) return;
      this.cameras = d.cameras;
      this.microphones = d.microphones;
      this.host.requestUpdate();
    } catch {
      // No device list: the pickers stay hidden.
    }
  }

  private run(action: () => Promise<void> | void): void {
    this.error = undefined;
    this.thrown = undefined;
    Promise.resolve()
      .then(action)
      .catch((e: unknown) => {
        this.error = e instanceof Error ? e.message : String(e);
        this.thrown = e;
      })
      .finally(() => this.host.requestUpdate());
  }

  private readonly onMute = (e: CustomEvent<VcMuteRequestDetail>) => {
    e.stopPropagation();
    this.run(() => this.target()?.setMuted(e.detail.muted));
  };

  private readonly onPause = (e: CustomEvent<VcPauseRequestDetail>) => {
    e.stopPropagation();
    this.run(() => this.target()?.setPaused(e.detail.paused));
  };

  private readonly onEnd = (e: Event) => {
    e.stopPropagation();
    this.run(() => this.target()?.end());
  };

  private readonly onDevice = (e: CustomEvent<VcDeviceRequestDetail>) => {
    e.stopPropagation();
    this.run(() => this.target()?.switchDevice(e.detail.kind, e.detail.deviceId));
  };
}
