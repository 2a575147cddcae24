// Pure text and time formatting for the list and the reading pane. No DOM, no
// Svelte, so every helper is unit-tested in format.test.ts.

import type { AccountStatus, Person, Source } from './api';

/** SOURCE_NAMES are the sources as the window names them. */
export const SOURCE_NAMES: Record<Source, string> = { email: 'Email', slack: 'Slack', github: 'GitHub', asana: 'Asana' };

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function toDate(t: string | Date): Date | null {
  const d = typeof t === 'string' ? new Date(t) : t;
  return Number.isNaN(d.getTime()) ? null : d;
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** clock formats the local time of day, 24-hour: "14:05". */
export function clock(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * relativeTime is the list's time column, in the user's local zone:
 * today "14:05", the last six days "Tue", this year "12 Mar", older "12 Mar 2023".
 * A time in the future (clock skew) shows as its time of day or date.
 */
export function relativeTime(t: string | Date, now: Date = new Date()): string {
  const d = toDate(t);
  if (!d) return '';
  const days = Math.round((startOfDay(now) - startOfDay(d)) / 86_400_000);
  if (days === 0) return clock(d);
  if (days < 0) return dayMonth(d, now);
  if (days < 7) return WEEKDAYS[d.getDay()];
  return dayMonth(d, now);
}

function dayMonth(d: Date, now: Date): string {
  const s = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === now.getFullYear() ? s : `${s} ${d.getFullYear()}`;
}

/** fullTime is the reading pane's timestamp: "Tue 12 Mar 2024, 14:05". */
export function fullTime(t: string | Date): string {
  const d = toDate(t);
  if (!d) return '';
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${clock(d)}`;
}

/**
 * dueLabel describes a respond-by time relative to now: "overdue", "due 16:00",
 * "due Tue", "due 12 Mar". Empty when there is no valid time.
 */
export function dueLabel(t: string | undefined, now: Date = new Date()): { text: string; overdue: boolean } {
  if (!t) return { text: '', overdue: false };
  const d = toDate(t);
  if (!d || d.getFullYear() < 1970) return { text: '', overdue: false };
  if (d.getTime() <= now.getTime()) return { text: 'overdue', overdue: true };
  const days = Math.round((startOfDay(d) - startOfDay(now)) / 86_400_000);
  if (days === 0) return { text: `due ${clock(d)}`, overdue: false };
  if (days < 7) return { text: `due ${WEEKDAYS[d.getDay()]}`, overdue: false };
  return { text: `due ${dayMonth(d, now)}`, overdue: false };
}

/**
 * cleanSnippet makes one calm line for the list's second row: quoted lines
 * (">") and common reply headers are dropped, whitespace collapses, and the
 * result is cut to max characters with an ellipsis.
 */
export function cleanSnippet(s: string | undefined, max = 200): string {
  if (!s) return '';
  const kept: string[] = [];
  for (const raw of s.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('>')) continue;
    if (/^On .+wrote:$/.test(line)) continue;
    kept.push(line);
  }
  const one = kept.join(' ').replace(/\s+/g, ' ').trim();
  if (one.length <= max) return one;
  return one.slice(0, max - 1).trimEnd() + '…';
}

/**
 * secondLine joins title and snippet for a row: "Title · snippet". The snippet
 * is left out when it only repeats the title.
 */
export function secondLine(title: string, snippet: string): { title: string; snippet: string } {
  const t = title.trim();
  let s = cleanSnippet(snippet);
  if (t && s.startsWith(t)) s = s.slice(t.length).replace(/^[\s:·-]+/, '');
  return { title: t, snippet: s };
}

/** A run of body lines that are all quoted, or all not. */
export interface BodyBlock {
  quoted: boolean;
  /** Quote depth of the block's first line (0 for plain text). */
  depth: number;
  text: string;
}

/**
 * bodyBlocks splits a plain-text body into runs of quoted (">") and unquoted
 * lines so quotes can be muted. Line endings are normalised, trailing spaces
 * trimmed, and more than two blank lines in a row collapse to two.
 */
export function bodyBlocks(body: string | undefined): BodyBlock[] {
  if (!body) return [];
  const lines = body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  // Drop leading and trailing blank lines.
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();

  const blocks: BodyBlock[] = [];
  let blank = 0;
  for (const line of lines) {
    if (line === '') {
      blank++;
      if (blank > 2) continue;
    } else {
      blank = 0;
    }
    const depth = quoteDepth(line);
    // A blank line continues the block it is in; it never starts a quote.
    const quoted = line === '' && blocks.length ? blocks[blocks.length - 1].quoted : depth > 0;
    const last = blocks[blocks.length - 1];
    if (last && last.quoted === quoted) {
      last.text += '\n' + line;
    } else {
      blocks.push({ quoted, depth, text: line });
    }
  }
  // A quoted block that ends in blank lines gives them back to the text after it.
  for (let i = 0; i < blocks.length - 1; i++) {
    const b = blocks[i];
    if (!b.quoted) continue;
    const m = /\n+$/.exec(b.text);
    if (m) {
      b.text = b.text.slice(0, m.index);
      blocks[i + 1].text = m[0].slice(1) + '\n' + blocks[i + 1].text;
    }
  }
  return blocks;
}

/** quoteDepth counts the leading ">" markers of a line ("> > hi" is 2). */
export function quoteDepth(line: string): number {
  const m = /^(\s*>)+/.exec(line);
  if (!m) return 0;
  return (m[0].match(/>/g) ?? []).length;
}

/** A piece of text, optionally a link that may be opened in the system browser. */
export interface TextPart {
  text: string;
  href?: string;
}

const LINK_RE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/gi;

/**
 * linkify splits text into plain parts and http(s)/mailto links. Trailing
 * punctuation that usually ends a sentence stays outside the link; bare
 * addresses become mailto links.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK_RE)) {
    let url = m[0];
    const start = m.index ?? 0;
    // Trim trailing punctuation, keeping a closing paren that has its opener.
    while (/[.,;:!?)\]]$/.test(url)) {
      if (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) >= (url.match(/\)/g)?.length ?? 0)) break;
      url = url.slice(0, -1);
    }
    if (start > last) parts.push({ text: text.slice(last, start) });
    const href = /^(https?:|mailto:)/i.test(url) ? url : `mailto:${url}`;
    parts.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** safeURL reports whether url may be handed to Workspace.OpenURL. */
export function safeURL(url: string | undefined): boolean {
  return !!url && /^(https?:\/\/|mailto:)/i.test(url.trim());
}

/** person formats "Name <addr>", or whichever part exists. */
export function person(p: Person | undefined): string {
  if (!p) return '';
  if (p.name && p.addr && p.name !== p.addr) return `${p.name} <${p.addr}>`;
  return p.name || p.addr || '';
}

/** people formats a recipient list, naming at most max and counting the rest. */
export function people(ps: Person[] | undefined, max = 4): string {
  if (!ps || ps.length === 0) return '';
  const names = ps.slice(0, max).map((p) => p.name || p.addr || '').filter(Boolean);
  const more = ps.length - Math.min(ps.length, max);
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/** fileSize is a short human size: "812 B", "4.2 KB", "13 MB". */
export function fileSize(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)} ${units[u]}`;
}

/** count formats a number with thousands separators: 1204 → "1,204". */
export function count(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  return Math.trunc(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** syncLabel says what one account is doing: "Syncing sample mail 120/400". */
export function syncLabel(a: AccountStatus): string {
  const phase = a.progress?.phase ? ` ${a.progress.phase}` : '';
  switch (a.state) {
    case 'starting':
      return `Connecting ${a.name}…`;
    case 'syncing': {
      const p = a.progress;
      const n = p && p.total > 0 ? ` ${count(Math.min(p.done, p.total))}/${count(p.total)}` : '…';
      return `Syncing ${a.name}${phase}${n}`;
    }
    case 'error':
      return `${a.name}: ${a.error || 'sync failed'}`;
    case 'stopped':
      return `${a.name} stopped`;
    default:
      return `${a.name} up to date`;
  }
}

/** signalLabel names a connector signal for a chip in the reading pane. */
export function signalLabel(s: string): string {
  switch (s) {
    case 'dm':
      return 'Direct message';
    case 'mention':
      return 'Mentioned you';
    case 'review_requested':
      return 'Review requested';
    default:
      return s.replace(/_/g, ' ');
  }
}
