// browserSupport: what a browser without WebRTC or without capture is told.
import { expect } from '@open-wc/testing';
import { browserSupport } from '../../../src/session/index.js';

describe('browserSupport', () => {
  it('this test browser (Chromium) can chat and do video', () => {
    expect(browserSupport()).to.deep.equal({ chat: true, video: true });
  });

  it('no RTCPeerConnection (WebKitGTK built without WebRTC): neither chat nor video', () => {
    expect(browserSupport({ navigator: { mediaDevices: { getUserMedia: () => {} } } })).to.deep.equal({ chat: false, video: false });
  });

  it('RTCPeerConnection without data channels is no chat', () => {
    expect(browserSupport({ RTCPeerConnection: function PC() {} })).to.deep.equal({ chat: false, video: false });
  });

  it('data channels but no getUserMedia (no secure context, an in-app browser): chat without video', () => {
    class PC { createDataChannel() {} }
    expect(browserSupport({ RTCPeerConnection: PC, navigator: {} })).to.deep.equal({ chat: true, video: false });
    expect(browserSupport({ RTCPeerConnection: PC, navigator: { mediaDevices: {} } })).to.deep.equal({ chat: true, video: false });
  });
});
