// janode 1.8 ships plain JS without type declarations. These cover only what the
// broker and its tests use; they were written against node_modules/janode/src
// (janode.js, connection.js, session.js, handle.js, plugins/*-plugin.js).

declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeAddress {
    url: string;
    apisecret?: string;
    token?: string;
  }

  export interface JanodeConfig {
    address: JanodeAddress | JanodeAddress[];
    is_admin?: boolean;
    /** Seconds between attempts while opening the socket. */
    retry_time_secs?: number;
    /** Extra attempts after the first one while opening the socket. */
    max_retries?: number;
    ws_options?: Record<string, unknown>;
  }

  /** A raw Janus API message (what Handle.message resolves with). */
  export interface JanusMessage {
    janus: string;
    transaction?: string;
    plugindata?: { plugin: string; data: Record<string, unknown> };
  }

  export interface JanodeHandle extends EventEmitter {
    readonly id: number;
    message(body: Record<string, unknown>, jsep?: Record<string, unknown>): Promise<JanusMessage>;
    detach(): Promise<void>;
  }

  export interface PluginDescriptor<H extends JanodeHandle = JanodeHandle> {
    id: string;
    Handle: abstract new (...args: never[]) => H;
    EVENT: Record<string, string>;
  }

  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H extends JanodeHandle>(plugin: PluginDescriptor<H>): Promise<H>;
    destroy(): Promise<void>;
  }

  export interface JanodeConnection extends EventEmitter {
    readonly id: number;
    create(ka_interval?: number): Promise<JanodeSession>;
    close(): Promise<void>;
    getInfo(): Promise<Record<string, unknown>>;
    /** Sends any request (adds transaction, token / apisecret or admin_secret); resolves with Janus's answer, rejects on an error answer. */
    sendRequest(request: Record<string, unknown>): Promise<{ janus: string; data?: Record<string, unknown> }>;
  }

  export type JanodeLogLevel = 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug';

  const Janode: {
    connect(config: JanodeConfig, key?: number | string): Promise<JanodeConnection>;
    Logger: { setLevel(level: JanodeLogLevel): JanodeLogLevel };
    EVENT: {
      readonly CONNECTION_CLOSED: 'connection_closed';
      readonly CONNECTION_ERROR: 'connection_error';
      readonly SESSION_DESTROYED: 'session_destroyed';
      readonly HANDLE_DETACHED: 'handle_detached';
    };
  };
  export default Janode;
}

declare module 'janode/plugins/textroom' {
  import type { JanodeHandle, PluginDescriptor } from 'janode';

  export interface TextRoomHandle extends JanodeHandle {
    exists(params: { room: string | number }): Promise<{ room: string | number; exists: boolean }>;
    allow(params: {
      room: string | number;
      action: 'enable' | 'disable' | 'add' | 'remove';
      list?: string[];
      secret?: string;
    }): Promise<{ room: string | number; list?: string[] }>;
    destroy(params: { room: string | number; permanent?: boolean; secret?: string }): Promise<{ room: string | number }>;
    list(params: { admin_key?: string }): Promise<{ list: Array<Record<string, unknown>> }>;
    /** Asks for a data channel: resolves with Janus's offer. */
    setup(): Promise<{ jsep?: { type: 'offer'; sdp: string } }>;
    /** Answers Janus's offer. */
    ack(jsep: { type: 'answer'; sdp: string }): Promise<unknown>;
  }

  const TextRoomPlugin: PluginDescriptor<TextRoomHandle>;
  export default TextRoomPlugin;
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle, PluginDescriptor } from 'janode';

  export interface VideoRoomHandle extends JanodeHandle {
    exists(params: { room: string | number }): Promise<{ room: string | number; exists: boolean }>;
    allow(params: {
      room: string | number;
      action: 'enable' | 'disable' | 'add' | 'remove';
      list?: string[];
      secret?: string;
    }): Promise<{ room: string | number; list?: string[] }>;
    destroy(params: { room: string | number; permanent?: boolean; secret?: string }): Promise<{ room: string | number }>;
    list(params?: { admin_key?: string }): Promise<{ list: Array<Record<string, unknown>> }>;
    joinPublisher(params: {
      room: string | number;
      feed?: string | number;
      display?: string;
      token?: string;
      pin?: string;
    }): Promise<{ room: string | number; feed: string | number; private_id: number }>;
    leave(): Promise<unknown>;
  }

  const VideoRoomPlugin: PluginDescriptor<VideoRoomHandle>;
  export default VideoRoomPlugin;
}
