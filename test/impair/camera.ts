// A fake camera that costs bits like a real one. Chromium's built-in fake
// capture (a pacman on a flat background) compresses to well under 300 kbit/s
// at 640x360, so a 300 kbit/s link would constrain nothing; real camera
// content does not compress like that. This writes a Y4M clip (moving 8x8
// blocks of fresh random luma over a sliding gradient) for
// --use-file-for-fake-video-capture, which Chromium loops.
import { openSync, writeSync, closeSync } from 'node:fs';

export function writeBusyY4m(path: string, { width = 640, height = 360, fps = 20, frames = 40 } = {}): string {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    const y = Buffer.alloc(width * height);
    const uv = Buffer.alloc((width / 2) * (height / 2));
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >>> 16;
    };
    for (let f = 0; f < frames; f++) {
      for (let by = 0; by < height; by += 8) {
        for (let bx = 0; bx < width; bx += 8) {
          // A quarter of the blocks change each frame; the rest is a gradient that slides.
          const noisy = (rand() & 3) === 0;
          for (let j = 0; j < 8 && by + j < height; j++) {
            for (let i = 0; i < 8 && bx + i < width; i++) {
              const gradient = ((bx + i + f * 6) * 255) / width;
              y[(by + j) * width + bx + i] = noisy ? rand() & 0xff : gradient & 0xff;
            }
          }
        }
      }
      writeSync(fd, 'FRAME\n');
      writeSync(fd, y);
      uv.fill(96 + ((f * 3) % 64));
      writeSync(fd, uv);
      uv.fill(160 - ((f * 3) % 64));
      writeSync(fd, uv);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
