// How the Later and Snoozed views say when: time left before a respond-by
// time ("3 h left", "overdue 2 d") and when a snoozed item wakes. Pure, so
// when.test.ts pins every case.

import { clock } from './format';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** span names a length compactly: "45 min", "3 h", "2 d" (rounded down). */
export function span(ms: number): string {
  const m = Math.max(0, ms);
  if (m < HOUR) return `${Math.max(1, Math.floor(m / MIN))} min`;
  if (m < 2 * DAY) return `${Math.floor(m / HOUR)} h`;
  return `${Math.floor(m / DAY)} d`;
}

function toTime(t: string | undefined): number | null {
  if (!t) return null;
  const v = new Date(t).getTime();
  return Number.isNaN(v) || v <= 0 ? null : v;
}

/**
 * timeLeft describes a respond-by time: "3 h left", "due now" in its last
 * minute, "overdue 20 min". Empty text when there is no time.
 */
export function timeLeft(respondBy: string | undefined, now: Date): { text: string; overdue: boolean } {
  const t = toTime(respondBy);
  if (t === null) return { text: '', overdue: false };
  const d = t - now.getTime();
  if (d <= 0) return { text: `overdue ${span(-d)}`, overdue: true };
  if (d < MIN) return { text: 'due now', overdue: false };
  return { text: `${span(d)} left`, overdue: false };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** atLabel names a future local time: "14:00", "tomorrow 09:00", "Fri 09:00", "14 Mar 09:00". */
export function atLabel(t: string | undefined, now: Date): string {
  const v = toTime(t);
  if (v === null) return '';
  const d = new Date(v);
  const days = Math.round(
    (new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() -
      new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()) /
      DAY,
  );
  if (days === 0) return clock(d);
  if (days === 1) return `tomorrow ${clock(d)}`;
  if (days > 1 && days < 7) return `${WEEKDAYS[d.getDay()]} ${clock(d)}`;
  const y = d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${y} ${clock(d)}`;
}

/** wakeLabel is the Snoozed view's chip: "wakes 14:00", "wakes Fri 09:00", or "waking" once due. */
export function wakeLabel(snoozeUntil: string | undefined, now: Date): string {
  const v = toTime(snoozeUntil);
  if (v === null) return '';
  if (v <= now.getTime()) return 'waking';
  return `wakes ${atLabel(snoozeUntil, now)}`;
}
