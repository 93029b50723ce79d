import { expect } from '@open-wc/testing';
import { capture, DEVICE_PROBLEM_TEXT } from '../../src/janus/index.js';

/** Replaces getUserMedia so one kind of device fails the way browsers fail. */
function failing(kind: 'audio' | 'video', name: string): () => void {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (c?: MediaStreamConstraints) => (c && c[kind] ? Promise.reject(new DOMException('simulated', name)) : original(c));
  return () => { md.getUserMedia = original; };
}

describe('local capture with device trouble', () => {
  const cases: Array<['audio' | 'video', string, keyof typeof DEVICE_PROBLEM_TEXT]> = [
    ['video', 'NotFoundError', 'no-camera'],
    ['video', 'NotAllowedError', 'camera-denied'],
    ['video', 'NotReadableError', 'camera-busy'],
    ['audio', 'NotFoundError', 'no-microphone'],
    ['audio', 'NotAllowedError', 'microphone-denied'],
  ];
  for (const [kind, name, problem] of cases) {
    it(`${kind} ${name} → ${problem}, and the other device still works`, async () => {
      const restore = failing(kind, name);
      try {
        const r = await capture({ audio: true, video: true });
        expect(r.problems).to.deep.equal([problem]);
        const other = kind === 'video' ? r.audio : r.video;
        expect(other?.readyState).to.equal('live');
        expect(kind === 'video' ? r.video : r.audio).to.equal(undefined);
        other?.stop();
        expect(DEVICE_PROBLEM_TEXT[problem]).to.match(/\.$/);
      } finally {
        restore();
      }
    });
  }
});
