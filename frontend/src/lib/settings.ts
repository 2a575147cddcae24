// Pure helpers for the Settings panel: the focus schedule as the user types
// it ("weekdays 09:30-11:30", one block a line; "09:00, 12:30") and back.

export interface WeeklyBlock {
  days: string[];
  start: string;
  end: string;
}

const CLOCK = /^([01]?\d|2[0-3]):[0-5]\d$/;
const DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'weekdays', 'weekends', 'daily']);

/** formatBlocks writes blocks one per line: "weekdays 09:30-11:30". */
export function formatBlocks(blocks: WeeklyBlock[]): string {
  return blocks
    .map((b) => `${(b.days?.length ? b.days : ['daily']).join(',')} ${b.start}-${b.end}`)
    .join('\n');
}

/** parseBlocks reads the lines formatBlocks writes; it names the first bad line. */
export function parseBlocks(text: string): { blocks: WeeklyBlock[]; error?: string } {
  const blocks: WeeklyBlock[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const m = /^(?:([a-z,\s]+)\s+)?(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/i.exec(line);
    if (!m) return { blocks, error: `Line ${i + 1}: write it like "weekdays 09:30-11:30"` };
    const days = (m[1] ?? 'daily').toLowerCase().split(/[\s,]+/).filter(Boolean);
    const bad = days.find((d) => !DAYS.has(d));
    if (bad) return { blocks, error: `Line ${i + 1}: "${bad}" is not a day (mon…sun, weekdays, weekends, daily)` };
    for (const t of [m[2], m[3]]) {
      if (!CLOCK.test(t)) return { blocks, error: `Line ${i + 1}: "${t}" is not a time` };
    }
    blocks.push({ days, start: pad(m[2]), end: pad(m[3]) });
  }
  return { blocks };
}

/** parseTimes reads "9:00, 12:30 16:30" into ["09:00", "12:30", "16:30"]. */
export function parseTimes(text: string): { times: string[]; error?: string } {
  const times: string[] = [];
  for (const t of text.split(/[\s,]+/).filter(Boolean)) {
    if (!CLOCK.test(t)) return { times, error: `"${t}" is not a time like 12:30` };
    times.push(pad(t));
  }
  return { times: [...new Set(times)].sort() };
}

function pad(t: string): string {
  return t.length === 4 ? `0${t}` : t;
}
