// In the transport folder: finding out whether capture exists is the transport's knowledge (it never calls it).
/**
 * What this browser can do for a conversation, found out before anything is
 * offered: chat runs on a Janus TextRoom data channel (RTCPeerConnection),
 * video also needs camera and microphone capture (getUserMedia). A browser
 * without them (WebKitGTK built without WebRTC, an in-app browser, a page
 * that is not a secure context) is told so instead of being given a button
 * that cannot work.
 */
export interface BrowserSupport {
  /** RTCPeerConnection with data channels: the chat can connect. */
  chat: boolean;
  /** Also navigator.mediaDevices.getUserMedia: video and voice can start. */
  video: boolean;
}

export function browserSupport(scope: { RTCPeerConnection?: unknown; navigator?: { mediaDevices?: { getUserMedia?: unknown } } } = globalThis): BrowserSupport {
  const pc = scope.RTCPeerConnection;
  const chat = typeof pc === 'function' && typeof (pc.prototype as { createDataChannel?: unknown } | undefined)?.createDataChannel === 'function';
  const video = chat && typeof scope.navigator?.mediaDevices?.getUserMedia === 'function';
  return { chat, video };
}
