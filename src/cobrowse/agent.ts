// What the agent console needs once cobrowse runs, as one lazy chunk:
// reassembly and decoding of batches, and the replayer (which loads rrweb).
export { BatchSequencer, Reassembler, decodeBatch, EVENT_META } from './codec.js';
export { CobrowseReplayer } from './replayer.js';
