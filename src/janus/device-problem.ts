import { english } from '../i18n/index.js';

// Apart from local-media.ts so that the video state machine, which every chat
// loads, can name device problems without pulling in the capture code.

/** Why local capture failed: a code; the message catalogues say it as `device.<code>` in each viewer's language. */
export type DeviceProblem = 'no-camera' | 'no-microphone' | 'camera-denied' | 'microphone-denied' | 'camera-busy' | 'microphone-busy';

const PROBLEMS: readonly DeviceProblem[] = ['no-camera', 'no-microphone', 'camera-denied', 'microphone-denied', 'camera-busy', 'microphone-busy'];

/** The device problems in English, in words a person can act on (for hosts and logs; elements render the codes). */
export const DEVICE_PROBLEM_TEXT: Record<DeviceProblem, string> = Object.fromEntries(
  PROBLEMS.map((p) => [p, english(`device.${p}`)]),
) as Record<DeviceProblem, string>;
