import { english } from '../i18n/index.js';
import { useVideoCatalogue } from '../i18n/video.js';
import { DEVICE_PROBLEMS, type DeviceProblem } from '../protocol/index.js';

// Apart from local-media.ts so that the video state machine, which every chat
// loads, can name device problems without pulling in the capture code.

/** Why local capture failed: a code (also on the wire, in `media.state`); the message catalogues say it as `device.<code>` in each viewer's language. */
export type { DeviceProblem };

useVideoCatalogue(); // the texts below are the video's (src/i18n/en-video.ts)

/** The device problems in English, in words a person can act on (for hosts and logs; elements render the codes). */
export const DEVICE_PROBLEM_TEXT: Record<DeviceProblem, string> = Object.fromEntries(
  DEVICE_PROBLEMS.map((p) => [p, english(`device.${p}`)]),
) as Record<DeviceProblem, string>;
