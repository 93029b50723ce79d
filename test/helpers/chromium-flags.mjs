// Flags for Debian's Chromium in every browser test (web-test-runner and
// playwright-core): headless as root on a machine without network, fake
// camera/microphone, and ICE on loopback where the test Janus listens.
export const chromiumFlags = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Janus listens on loopback only; Chromium skips loopback candidates unless told.
  '--allow-loopback-in-peer-connection',
];
