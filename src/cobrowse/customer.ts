// What the customer's page needs once cobrowse is consented, as one lazy
// chunk: recorder (which loads rrweb in turn), pointer overlay, remote control.
export { CobrowseRecorder } from './recorder.js';
export { PointerOverlay } from './overlay.js';
export { performAction } from './remote-control.js';
