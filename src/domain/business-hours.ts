/**
 * Business hours in the team's own time zone. An IANA zone (`Europe/Berlin`) keeps 09:00 at 09:00 across daylight
 * saving; a fixed `utcOffsetMinutes` (policies written before zones) does not. Pure and deterministic: Intl's zone
 * data is part of the runtime, so workflow code may call it.
 */
export interface BusinessHoursRule {
  /** ISO weekdays, 1 = Monday. */
  days: number[];
  start: string;
  end: string;
  utcOffsetMinutes?: number;
  timeZone?: string;
}

const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let found = formats.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, found);
  }
  return found;
}

/** True when the runtime knows the zone (a typo such as `Europe/Berln` is refused when the policy loads). */
export function isTimeZone(name: string): boolean {
  try {
    format(name);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** The zone's offset from UTC at that instant, in ms. */
  offset: number;
}

function local(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of format(timeZone).formatToParts(at)) parts[part.type] = part.value;
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const wall = Date.UTC(year, month - 1, day, Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { year, month, day, offset: wall - Math.floor(at / 1000) * 1000 };
}

/** The instant the zone's clocks show `minute` minutes after midnight of that date (the offset then, not now). */
function instantOf(date: Pick<LocalTime, 'year' | 'month' | 'day'>, minute: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minute * 60_000;
  const guess = wall - local(wall, timeZone).offset;
  return wall - local(guess, timeZone).offset;
}

const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The first moment at or after `now` inside business hours. */
export function nextBusinessHoursStart(now: number, hours: BusinessHoursRule): number {
  const startMinute = minuteOfDay(hours.start);
  const endMinute = minuteOfDay(hours.end);
  const timeZone = hours.timeZone;
  for (let dayOffset = 0; dayOffset <= 8; dayOffset++) {
    let opens: number;
    let closes: number;
    let weekday: number;
    if (timeZone !== undefined) {
      // Walk calendar dates, not 24-hour steps: a day with a clock change is 23 or 25 hours long.
      const today = local(now, timeZone);
      const calendar = new Date(Date.UTC(today.year, today.month - 1, today.day + dayOffset));
      const date = { year: calendar.getUTCFullYear(), month: calendar.getUTCMonth() + 1, day: calendar.getUTCDate() };
      weekday = calendar.getUTCDay() === 0 ? 7 : calendar.getUTCDay();
      opens = instantOf(date, startMinute, timeZone);
      closes = instantOf(date, endMinute, timeZone);
    } else {
      const offsetMs = (hours.utcOffsetMinutes ?? 0) * 60_000;
      const date = new Date(now + offsetMs + dayOffset * DAY);
      weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
      const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - offsetMs;
      opens = dayStart + startMinute * 60_000;
      closes = dayStart + endMinute * 60_000;
    }
    if (!hours.days.includes(weekday)) continue;
    if (now < opens) return opens;
    if (now < closes) return now;
  }
  return now;
}
