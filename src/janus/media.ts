// The Janus media code, imported as one chunk on first use (session/video-backend.ts): the VideoRoom call and capture.
export { VideoRoomCall } from './videoroom-call.js';
export { listDevices } from './local-media.js';
