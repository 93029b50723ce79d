/**
 * The operator's opening hours (`OPENING_HOURS`, `OPENING_HOURS_TZ`): a weekly
 * schedule in one time zone. Outside it the widget offers to leave a message
 * instead of a chat (availability.ts), whoever is signed in.
 *
 *     Mo-Fr 09:00-17:30; Sa 10:00-14:00
 *     Mo,We,Fr 08:00-12:00,13:00-18:00; Su 22:00-02:00
 *     24/7
 *
 * Rules are separated by `;`, each a list of days (`Mo Tu We Th Fr Sa Su`,
 * ranges like `Mo-Fr`, also across the week end: `Fr-Mo`) and a list of
 * times `HH:MM-HH:MM` (`24:00` ends at midnight; a range that ends before it
 * starts runs past midnight into the next day). Days no rule names are
 * closed. Times are wall-clock times in the time zone (IANA name, e.g.
 * `Europe/Berlin`; default: the broker's own), daylight saving included.
 */

export interface OpeningState {
  open: boolean;
  /** While closed: the next opening (epoch ms); none when the schedule never opens. */
  opensAt?: number;
  /** While open: when it closes (epoch ms); none when it never does (24/7). */
  closesAt?: number;
}

export interface OpeningHours {
  /** The schedule as the operator wrote it. */
  readonly schedule: string;
  readonly timeZone: string;
  /** Open at `now` (epoch ms), and when that changes. */
  at(now: number): OpeningState;
}

const DAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];
const DAY_MINUTES = 24 * 60;
/** Intl's short English weekday names, Monday first like DAYS. */
const INTL_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The broker's own time zone (the default). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `tz` is a time zone this runtime knows (IANA name, or UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseDays(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([a-z]{2})(?:-([a-z]{2}))?$/i.exec(part.trim());
    const from = m ? DAYS.indexOf(m[1].toLowerCase()) : -1;
    const to = m?.[2] !== undefined ? DAYS.indexOf(m[2].toLowerCase()) : from;
    if (from < 0 || to < 0) throw new Error(`"${part.trim()}" is not a day or a range of days (Mo Tu We Th Fr Sa Su, e.g. Mo-Fr)`);
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days];
}

function parseTime(text: string, end: boolean): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || min > 59 || h > 24 || (h === 24 && (min !== 0 || !end))) throw new Error(`"${text}" is not a time HH:MM${end ? ' (24:00 for midnight)' : ''}`);
  return h * 60 + min;
}

/**
 * Parses a schedule into the open intervals of each weekday (minutes of the
 * day, Monday = 0). Throws an Error that says what is wrong.
 */
export function parseSchedule(schedule: string): Array<Array<[number, number]>> {
  const week: Array<Array<[number, number]>> = DAYS.map(() => []);
  const text = schedule.trim();
  if (text === '24/7') return week.map(() => [[0, DAY_MINUTES]]);
  const rules = text.split(';').map((r) => r.trim()).filter(Boolean);
  if (rules.length === 0) throw new Error('no opening hours given (e.g. "Mo-Fr 09:00-17:00", or "24/7")');
  for (const rule of rules) {
    const m = /^(\S+)\s+(.+)$/.exec(rule);
    if (!m) throw new Error(`"${rule}" must be days and times, e.g. "Mo-Fr 09:00-17:00"`);
    const days = parseDays(m[1]);
    for (const range of m[2].split(',')) {
      const t = /^\s*(\S+)\s*-\s*(\S+)\s*$/.exec(range);
      if (!t) throw new Error(`"${range.trim()}" is not a time range HH:MM-HH:MM`);
      const start = parseTime(t[1], false);
      const end = parseTime(t[2], true);
      if (start === end) throw new Error(`"${range.trim()}" is empty`);
      for (const d of days) {
        if (end > start) week[d].push([start, end]);
        else {
          // Past midnight: the rest of this day and the start of the next.
          week[d].push([start, DAY_MINUTES]);
          if (end > 0) week[(d + 1) % 7].push([0, end]);
        }
      }
    }
  }
  return week.map((day) => day.sort((a, b) => a[0] - b[0]));
}

/** Parses the schedule (see above) in `timeZone`; throws an Error that says what is wrong. */
export function parseOpeningHours(schedule: string, timeZone = localTimeZone()): OpeningHours {
  if (!isTimeZone(timeZone)) throw new Error(`"${timeZone}" is not a time zone (an IANA name like Europe/Berlin)`);
  const week = parseSchedule(schedule);
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  /** The wall clock in the zone: weekday, minute of the day (with fractions), and its offset from UTC (ms). */
  const wall = (t: number) => {
    const parts = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value]));
    const [y, mo, d, h, mi, s] = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second].map(Number);
    const ms = ((t % 1000) + 1000) % 1000;
    const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    return { day: INTL_DAYS.indexOf(parts.weekday), minute: h * 60 + mi + (s * 1000 + ms) / 60_000, offset: asUtc - t };
  };
  return {
    schedule,
    timeZone,
    at(now: number): OpeningState {
      const here = wall(now);
      // The next eight days' intervals as minutes from the start of today, merged where one runs into the next.
      const spans: Array<[number, number]> = [];
      for (let k = 0; k <= 7; k++) {
        for (const [s, e] of week[(here.day + k) % 7]) {
          const last = spans[spans.length - 1];
          if (last && s + k * DAY_MINUTES <= last[1]) last[1] = Math.max(last[1], e + k * DAY_MINUTES);
          else spans.push([s + k * DAY_MINUTES, e + k * DAY_MINUTES]);
        }
      }
      // A wall-clock minute (from the start of today) as epoch ms, with the offset that holds then (daylight saving).
      const epoch = (minute: number) => {
        const guess = now + (minute - here.minute) * 60_000;
        return guess - (wall(guess).offset - here.offset);
      };
      const horizon = 8 * DAY_MINUTES;
      const current = spans.find(([s, e]) => s <= here.minute && here.minute < e);
      if (current) return current[1] >= horizon ? { open: true } : { open: true, closesAt: epoch(current[1]) };
      const next = spans.find(([s]) => s > here.minute);
      return next ? { open: false, opensAt: epoch(next[0]) } : { open: false };
    },
  };
}
