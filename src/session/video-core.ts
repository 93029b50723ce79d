// The video's own code, imported as one chunk by lazy-video.ts on the first video signal or action.
export { VideoSession } from './video-session.js';
export { janusVideoBackend } from './video-backend.js';
