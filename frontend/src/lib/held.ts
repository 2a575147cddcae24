// The Held view says how many items focus is holding and when they arrive,
// and nothing about them: no sender, no subject. Pure, so held.test.ts pins
// every case.

import type { FocusStatus } from './api';
import { atLabel } from './when';

export interface HeldSummary {
  count: number;
  title: string;
  detail: string;
  /** The keys that act on held items, as the user has bound them. */
  keys: { key: string; label: string }[];
}

/** KeyOf returns the display keys of a global command, or undefined when unbound. */
export type KeyOf = (command: string) => string | undefined;

/** heldSummary words the Held view for a focus status at now. */
export function heldSummary(f: FocusStatus | null, now: Date, keyOf: KeyOf): HeldSummary {
  const keys: HeldSummary['keys'] = [];
  const add = (command: string, label: string) => {
    const key = keyOf(command);
    if (key) keys.push({ key, label });
  };
  if (!f) return { count: 0, title: 'Focus is not running.', detail: '', keys };
  const when = arrival(f, now);
  if (f.held > 0) {
    add('release', 'release now');
    if (f.focusing) add('focus toggle', 'stop focus');
    return { count: f.held, title: f.held === 1 ? 'item held' : 'items held', detail: `They arrive together ${when}.`, keys };
  }
  if (f.focusing) {
    add('focus toggle', 'stop focus');
    return { count: 0, title: 'Nothing held yet.', detail: `What arrives while you focus waits here, unseen, until ${when.replace(/^at /, '')}.`, keys };
  }
  add('focus toggle', 'start focus');
  return {
    count: 0,
    title: 'Nothing held.',
    detail: 'While you focus, new items wait here as a count and arrive together at your next batch time.',
    keys,
  };
}

/** arrival says when held items come: "at 12:30", "when focus ends at 14:00", "at the next release". */
function arrival(f: FocusStatus, now: Date): string {
  const next = atLabel(f.nextRelease, now);
  if (next) return `at ${next}`;
  const end = atLabel(f.until, now);
  if (f.focusing && end) return `when focus ends at ${end}`;
  return 'at the next release';
}
