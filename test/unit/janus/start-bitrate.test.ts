// withStartBitrate: Janus's answer gains x-google-start-bitrate on its video
// codecs (existing fmtp lines extended, missing ones added), audio untouched.
import { expect } from '@open-wc/testing';
import { withStartBitrate } from '../../../src/janus/janus-client.js';

const ANSWER = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=VideoRoom', 't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97', 'a=mid:1', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'm=video 9 UDP/TLS/RTP/SAVPF 98', 'a=mid:2', 'a=rtpmap:98 H264/90000', 'a=fmtp:98 profile-level-id=42e01f;packetization-mode=1',
  '',
].join('\r\n');

describe('withStartBitrate', () => {
  it('adds the start bitrate to every video codec and nothing else', () => {
    const out = withStartBitrate(ANSWER, 1000);
    const lines = out.split('\r\n');
    expect(lines).to.include('a=fmtp:96 x-google-start-bitrate=1000');
    expect(lines).to.include('a=fmtp:98 profile-level-id=42e01f;packetization-mode=1;x-google-start-bitrate=1000');
    expect(lines).to.include('a=fmtp:111 useinbandfec=1');
    expect(lines).to.include('a=fmtp:97 apt=96');
    expect(lines.indexOf('a=fmtp:96 x-google-start-bitrate=1000')).to.equal(lines.indexOf('a=rtpmap:96 VP8/90000') + 1);
    expect(out.endsWith('\r\n')).to.equal(true);
    expect(withStartBitrate(out, 1000), 'applied twice: once').to.equal(out);
  });

  it('is accepted by a real RTCPeerConnection as the answer to its offer', async () => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.addTransceiver('video', { direction: 'sendonly' });
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await a.setRemoteDescription({ type: 'answer', sdp: withStartBitrate(answer.sdp!, 1000) });
    expect(a.remoteDescription!.sdp).to.contain('x-google-start-bitrate=1000');
    a.close();
    b.close();
  });
});
