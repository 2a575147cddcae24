// Parsers for the markup that chat and task sources write: Slack mrkdwn and a
// small, safe subset of (GitHub-flavoured) Markdown. They return a tree of
// plain objects that components render as DOM nodes; nothing here produces
// HTML, and no user text is ever given to {@html}. Links keep only http,
// https and mailto targets; anything else stays as text.
//
// Pure functions, no DOM: markup.test.ts covers them, hostile input included.

import { linkify, safeURL } from './format';

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'strike'; children: Inline[] }
  | { kind: 'code'; text: string }
  /** href is always http(s) or mailto (see safeURL). */
  | { kind: 'link'; href: string; children: Inline[] }
  /** A person: "@ada". */
  | { kind: 'mention'; text: string }
  /** A Slack channel: "#general". */
  | { kind: 'channel'; text: string }
  | { kind: 'break' };

export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'heading'; level: number; children: Inline[] }
  | { kind: 'code'; text: string; lang?: string }
  | { kind: 'quote'; children: Block[] }
  | { kind: 'list'; ordered: boolean; start: number; items: ListItem[] }
  | { kind: 'rule' };

export interface ListItem {
  /** A GitHub task list item: true when checked, false when open. */
  task?: boolean;
  children: Block[];
}

/** A link found in a message, for the keyboard link list. */
export interface Link {
  text: string;
  href: string;
}

/** How deep quotes and lists may nest; deeper input is flattened to text. */
const MAX_DEPTH = 8;
/** Input beyond this is cut: a pathological message must not stall the pane. */
const MAX_INPUT = 200_000;
/** The longest link label or address looked for. */
const MAX_LINK = 4096;

// ---------------------------------------------------------------- helpers

function text(t: string): Inline {
  return { kind: 'text', text: t };
}

/** pushText appends t, merging with a preceding text node. */
function pushText(out: Inline[], t: string): void {
  if (!t) return;
  const last = out[out.length - 1];
  if (last?.kind === 'text') last.text += t;
  else out.push(text(t));
}

/** linkText splits plain text into text and bare http(s)/mailto links. */
function linkText(out: Inline[], t: string): void {
  for (const part of linkify(t)) {
    if (part.href && safeURL(part.href)) out.push({ kind: 'link', href: part.href, children: [text(part.text)] });
    else pushText(out, part.text);
  }
}

/** plain renders inline nodes back to text (a link's label, a fallback). */
export function plain(nodes: Inline[]): string {
  let s = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
      case 'code':
      case 'mention':
      case 'channel':
        s += n.text;
        break;
      case 'break':
        s += '\n';
        break;
      default:
        s += plain(n.children);
    }
  }
  return s;
}

/** collectLinks lists every link of a tree in reading order. */
export function collectLinks(blocks: Block[]): Link[] {
  const out: Link[] = [];
  const inl = (nodes: Inline[]) => {
    for (const n of nodes) {
      if (n.kind === 'link') out.push({ text: plain(n.children).trim() || n.href, href: n.href });
      else if (n.kind === 'strong' || n.kind === 'em' || n.kind === 'strike') inl(n.children);
    }
  };
  const blk = (bs: Block[]) => {
    for (const b of bs) {
      if (b.kind === 'paragraph' || b.kind === 'heading') inl(b.children);
      else if (b.kind === 'quote') blk(b.children);
      else if (b.kind === 'list') b.items.forEach((it) => blk(it.children));
    }
  };
  blk(blocks);
  return out;
}

/** lines splits text into lines with normalised line endings. */
function lines(s: string): string[] {
  return s.slice(0, MAX_INPUT).replace(/\r\n?/g, '\n').split('\n');
}

/** inlineLines turns lines into inline nodes joined by hard breaks. */
function inlineLines(ls: string[], parse: (s: string) => Inline[]): Inline[] {
  const out: Inline[] = [];
  ls.forEach((l, i) => {
    if (i > 0) out.push({ kind: 'break' });
    out.push(...parse(l));
  });
  return out;
}

// Emphasis delimiters: an opener is followed by a non-space and not preceded
// by a word character; a closer is preceded by a non-space and not followed by
// a word character. That is how both Slack and Markdown tell "*bold*" from
// "2 * 3 * 4" and snake_case_names.
const WORD = /[\p{L}\p{N}]/u;

function canOpen(s: string, i: number, len: number): boolean {
  const before = i > 0 ? s[i - 1] : '';
  const after = s[i + len] ?? '';
  return after !== '' && !/\s/.test(after) && !(before && WORD.test(before));
}

function canClose(s: string, i: number, len: number): boolean {
  const before = i > 0 ? s[i - 1] : '';
  const after = s[i + len] ?? '';
  return before !== '' && !/\s/.test(before) && !(after && WORD.test(after));
}

/**
 * Closers finds closing delimiters in one string. Once a search from i finds
 * none, no later opener can find one either, so "*a *a *a …" stays linear.
 */
class Closers {
  private none = new Map<string, number>();
  constructor(private s: string) {}

  /**
   * find returns the closing delimiter for an opener at i, or -1. Emphasis
   * closers must be right-flanking; a plain one ("`", ">") may be anywhere
   * after the opener.
   */
  find(i: number, delim: string, flanking = true): number {
    const from = i + delim.length + (flanking ? 1 : 0);
    const key = (flanking ? 'f' : 'p') + delim;
    const none = this.none.get(key);
    if (none !== undefined && from >= none) return -1;
    const s = this.s;
    let j = s.indexOf(delim, from);
    while (j !== -1) {
      if (!flanking || canClose(s, j, delim.length)) return j;
      j = s.indexOf(delim, j + 1);
    }
    this.none.set(key, Math.min(from, none ?? from));
    return -1;
  }
}

// ---------------------------------------------------------------- Slack

const SLACK_EMPHASIS: Record<string, 'strong' | 'em' | 'strike'> = { '*': 'strong', _: 'em', '~': 'strike' };

/** decodeSlack undoes the three escapes Slack's API applies to message text. */
function decodeSlack(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * parseSlack parses Slack mrkdwn: *bold*, _italic_, ~strike~, `code`,
 * ```code blocks```, > quotes, and the angle-bracket tokens Slack's API
 * writes for mentions (<@U123|ada>), channels (<#C1|general>), special
 * mentions (<!here>) and links (<https://x|label>). It also reads text a
 * connector has already flattened ("@Ada", "label (https://x)").
 */
export function parseSlack(src: string | undefined): Block[] {
  if (!src) return [];
  const blocks: Block[] = [];
  // Code blocks first: nothing inside them is markup.
  const parts = src.slice(0, MAX_INPUT).split(/```/);
  // An odd number of fences leaves the last one unclosed: it is text.
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  let textRun = '';
  const flush = () => {
    slackTextBlocks(textRun, blocks);
    textRun = '';
  };
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1 && i < closed) {
      flush();
      const code = decodeSlack(parts[i].replace(/^\n/, '').replace(/\n$/, ''));
      if (code.trim()) blocks.push({ kind: 'code', text: code });
    } else {
      textRun += (i % 2 === 1 ? '```' : '') + parts[i];
    }
  }
  flush();
  return blocks;
}

/** slackTextBlocks splits text into paragraphs and quotes. */
function slackTextBlocks(src: string, out: Block[]): void {
  let para: string[] = [];
  let quote: string[] = [];
  const endPara = () => {
    if (para.length) out.push({ kind: 'paragraph', children: inlineLines(para, (l) => parseSlackInline(l)) });
    para = [];
  };
  const endQuote = () => {
    if (quote.length) out.push({ kind: 'quote', children: [{ kind: 'paragraph', children: inlineLines(quote, (l) => parseSlackInline(l)) }] });
    quote = [];
  };
  for (const raw of lines(src)) {
    const m = /^\s*(?:&gt;|>)\s?(.*)$/.exec(raw);
    if (m) {
      endPara();
      quote.push(m[1]);
      continue;
    }
    endQuote();
    if (raw.trim() === '') endPara();
    else para.push(raw);
  }
  endPara();
  endQuote();
}

/** parseSlackInline parses one line of mrkdwn. */
export function parseSlackInline(s: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  const closers = new Closers(s);
  let plainFrom = 0;
  const flushTo = (end: number) => {
    if (end > plainFrom) linkText(out, decodeSlack(s.slice(plainFrom, end)));
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '<') {
      const end = closers.find(i, '>', false);
      const tok = end > i ? slackToken(s.slice(i + 1, end)) : null;
      if (tok) {
        flushTo(i);
        out.push(tok);
        i = plainFrom = end + 1;
        continue;
      }
    } else if (c === '`') {
      const end = closers.find(i, '`', false);
      if (end > i + 1) {
        flushTo(i);
        out.push({ kind: 'code', text: decodeSlack(s.slice(i + 1, end)) });
        i = plainFrom = end + 1;
        continue;
      }
    } else if (c in SLACK_EMPHASIS && depth < MAX_DEPTH && canOpen(s, i, 1)) {
      const end = closers.find(i, c);
      if (end > i + 1) {
        flushTo(i);
        out.push({ kind: SLACK_EMPHASIS[c], children: parseSlackInline(s.slice(i + 1, end), depth + 1) });
        i = plainFrom = end + 1;
        continue;
      }
    }
    i++;
  }
  flushTo(s.length);
  return out;
}

/**
 * slackToken reads the inside of an angle-bracket token, or returns null
 * when it is not one (then the brackets are text).
 */
function slackToken(body: string): Inline | null {
  if (!body || /[\n<]/.test(body)) return null;
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? '' : decodeSlack(body.slice(bar + 1));
  switch (target[0]) {
    case '@':
      if (!/^@[UW][A-Z0-9]+$/.test(target)) return null;
      return { kind: 'mention', text: '@' + (label.replace(/^@/, '') || target.slice(1)) };
    case '#':
      if (!/^#C[A-Z0-9]+$/.test(target)) return null;
      return { kind: 'channel', text: '#' + (label.replace(/^#/, '') || target.slice(1)) };
    case '!': {
      const name = target.slice(1).split('^')[0];
      if (!/^[a-z_]+$/.test(name)) return null;
      if (label) return name === 'date' ? text(label) : { kind: 'mention', text: label.startsWith('@') ? label : '@' + label };
      return { kind: 'mention', text: '@' + name };
    }
  }
  const href = decodeSlack(target);
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return null;
  if (!safeURL(href)) return text(label || href);
  return { kind: 'link', href, children: [text(label || href.replace(/^mailto:/i, ''))] };
}

// ---------------------------------------------------------------- Markdown

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const BULLET = /^( {0,3})([-*+])(\s+)(.*)$/;
const ORDERED = /^( {0,3})(\d{1,9})([.)])(\s+)(.*)$/;
const TASK = /^\[([ xX])\]\s+(.*)$/;

/**
 * parseMarkdown parses the Markdown people write in GitHub and Asana
 * comments: paragraphs (newlines kept, as GitHub shows them), headings,
 * fenced code, quotes, bullet, numbered and task lists, rules, and inline
 * code, links, autolinks, bold, italic, strikethrough and @mentions. HTML
 * comments disappear; other HTML is shown as text, except a few formatting
 * tags (<b>, <details>, <br> …) whose tags are dropped.
 */
export function parseMarkdown(src: string | undefined): Block[] {
  if (!src) return [];
  const cleaned = src.slice(0, MAX_INPUT).replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  return mdBlocks(lines(cleaned), 0);
}

function mdBlocks(ls: string[], depth: number): Block[] {
  const out: Block[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length) out.push({ kind: 'paragraph', children: inlineLines(para.map((l) => l.trim()), parseMarkdownInline) });
    para = [];
  };
  let i = 0;
  while (i < ls.length) {
    const line = ls[i];
    if (line.trim() === '') {
      endPara();
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      endPara();
      const marker = fence[1];
      const indent = line.length - line.trimStart().length;
      const body: string[] = [];
      i++;
      while (i < ls.length && !new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`).test(ls[i])) {
        body.push(ls[i].replace(new RegExp(`^ {0,${indent}}`), ''));
        i++;
      }
      i++; // the closing fence, or past the end
      out.push({ kind: 'code', text: body.join('\n'), lang: fence[2] || undefined });
      continue;
    }
    if (depth >= MAX_DEPTH) {
      para.push(line);
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endPara();
      out.push({ kind: 'heading', level: heading[1].length, children: parseMarkdownInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      endPara();
      out.push({ kind: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      endPara();
      const inner: string[] = [];
      while (i < ls.length && ls[i].trim() !== '' && (QUOTE.test(ls[i]) || inner.length > 0)) {
        const q = QUOTE.exec(ls[i]);
        // A line without ">" right after quoted text continues it (lazy continuation).
        inner.push(q ? q[1] : ls[i]);
        i++;
      }
      out.push({ kind: 'quote', children: mdBlocks(inner, depth + 1) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = bullet ? null : ORDERED.exec(line);
    if (bullet || ordered) {
      endPara();
      const [list, next] = mdList(ls, i, depth);
      out.push(list);
      i = next;
      continue;
    }
    para.push(line);
    i++;
  }
  endPara();
  return out;
}

/** mdList reads a list starting at ls[start]; it returns it and the next line index. */
function mdList(ls: string[], start: number, depth: number): [Block, number] {
  const first = BULLET.exec(ls[start]);
  const ordered = !first;
  const firstNum = ordered ? Number(ORDERED.exec(ls[start])![2]) : 1;
  const marker = first ? first[2] : ORDERED.exec(ls[start])![3];
  const items: ListItem[] = [];
  let i = start;
  while (i < ls.length) {
    const m = ordered ? ORDERED.exec(ls[i]) : BULLET.exec(ls[i]);
    const sameKind = m && (ordered ? m[3] === marker : m[2] === marker);
    if (!m || !sameKind) break;
    // Content lines of the item are indented at least to its text column.
    const col = ordered ? m[1].length + m[2].length + 1 + m[4].length : m[1].length + 1 + m[3].length;
    const body: string[] = [ordered ? m[5] : m[4]];
    i++;
    let blank = false;
    while (i < ls.length) {
      const l = ls[i];
      if (l.trim() === '') {
        blank = true;
        body.push('');
        i++;
        continue;
      }
      const indent = l.length - l.trimStart().length;
      if (indent >= Math.min(col, 4) || (!blank && !BULLET.test(l) && !ORDERED.test(l) && !FENCE.test(l) && !QUOTE.test(l) && !HEADING.test(l))) {
        body.push(indent >= col ? l.slice(col) : l.trimStart());
        blank = false;
        i++;
        continue;
      }
      break;
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    const task = TASK.exec(body[0] ?? '');
    const item: ListItem = { children: [] };
    if (task) {
      item.task = task[1] !== ' ';
      body[0] = task[2];
    }
    item.children = mdBlocks(body, depth + 1);
    items.push(item);
    // A blank line followed by a non-item ends the list.
    if (i < ls.length && ls[i - 1]?.trim() === '' && !(ordered ? ORDERED : BULLET).test(ls[i])) break;
  }
  return [{ kind: 'list', ordered, start: firstNum, items }, i];
}

/** Formatting-only HTML tags GitHub users type; their tags are dropped, their text kept. */
const SOFT_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 's', 'del', 'ins', 'sub', 'sup', 'kbd', 'code', 'samp', 'small', 'mark',
  'details', 'summary', 'p', 'div', 'span', 'center', 'abbr', 'dl', 'dt', 'dd',
]);

const ESCAPABLE = /[\\`*_{}[\]()#+\-.!|~<>"']/;

/** parseMarkdownInline parses one line of inline Markdown. */
export function parseMarkdownInline(s: string): Inline[] {
  return mdInline(s, 0);
}

function mdInline(s: string, depth: number): Inline[] {
  const out: Inline[] = [];
  const closers = new Closers(s);
  let buf = '';
  const flush = () => {
    if (buf) linkTextWithMentions(out, buf);
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    // Backslash escapes.
    if (c === '\\' && i + 1 < s.length && ESCAPABLE.test(s[i + 1])) {
      buf += s[i + 1];
      i += 2;
      continue;
    }
    // Code spans: a run of n backticks up to the next run of exactly n.
    if (c === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      let j = s.indexOf(fence, i + n);
      while (j !== -1 && s[j + n] === '`') j = s.indexOf(fence, j + n + 1);
      if (j !== -1) {
        flush();
        let code = s.slice(i + n, j);
        if (/^ .*[^ ].* $/.test(code)) code = code.slice(1, -1);
        out.push({ kind: 'code', text: code });
        i = j + n;
        continue;
      }
      buf += fence;
      i += n;
      continue;
    }
    // Autolinks: <https://…> and <mailto:…>.
    if (c === '<') {
      const auto = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(s.slice(i));
      if (auto) {
        flush();
        out.push(linkNode(auto[1], [text(auto[1].replace(/^mailto:/i, ''))]));
        i += auto[0].length;
        continue;
      }
      const tag = /^<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>/.exec(s.slice(i));
      if (tag) {
        const name = tag[1].toLowerCase();
        if (name === 'br') {
          flush();
          out.push({ kind: 'break' });
          i += tag[0].length;
          continue;
        }
        if (SOFT_TAGS.has(name)) {
          i += tag[0].length;
          continue;
        }
      }
    }
    // Links and images: [text](url "title"), ![alt](url).
    if (c === '[' || (c === '!' && s[i + 1] === '[')) {
      const image = c === '!';
      const m = linkAt(s, image ? i + 1 : i);
      if (m) {
        flush();
        const label = image ? [text(m.label ? `image: ${m.label}` : 'image')] : depth < MAX_DEPTH ? mdInline(m.label, depth + 1) : [text(m.label)];
        // Images never load here: they become a link to the picture. A
        // link to anything but http(s) or mailto keeps only its label.
        if (safeURL(m.href)) out.push(linkNode(m.href, label));
        else for (const n of label) n.kind === 'text' ? pushText(out, n.text) : out.push(n);
        i = m.end;
        continue;
      }
    }
    // Emphasis: ** __ ~~ (strong, strike) before * _ (em).
    if ((c === '*' || c === '_' || c === '~') && depth < MAX_DEPTH) {
      const two = s[i + 1] === c;
      if (c === '~' && !two) {
        buf += c;
        i++;
        continue;
      }
      const delim = two ? c + c : c;
      if (canOpen(s, i, delim.length)) {
        const end = closers.find(i, delim);
        if (end > i + delim.length - 1 && end - i > delim.length) {
          flush();
          const kind = c === '~' ? 'strike' : two ? 'strong' : 'em';
          out.push({ kind, children: mdInline(s.slice(i + delim.length, end), depth + 1) });
          i = end + delim.length;
          continue;
        }
      }
      buf += delim;
      i += delim.length;
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function linkNode(href: string, children: Inline[]): Inline {
  return { kind: 'link', href, children };
}

/**
 * linkAt reads "[label](href "title")" starting at s[i] === '[', with
 * nested brackets in the label and balanced parentheses in the href.
 */
function linkAt(s: string, i: number): { label: string; href: string; end: number } | null {
  // Labels and addresses have a sane length; looking further would make a
  // line of "[[[[…" quadratic.
  const limit = Math.min(s.length, i + MAX_LINK);
  let depth = 0;
  let j = i;
  for (; j < limit; j++) {
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === '[') depth++;
    else if (s[j] === ']' && --depth === 0) break;
  }
  if (j >= limit || s[j + 1] !== '(') return null;
  const label = s.slice(i + 1, j);
  const hrefLimit = Math.min(s.length, j + 2 + MAX_LINK);
  let k = j + 2;
  let parens = 1;
  for (; k < hrefLimit; k++) {
    if (s[k] === '(') parens++;
    else if (s[k] === ')' && --parens === 0) break;
  }
  if (k >= hrefLimit) return null;
  let inside = s.slice(j + 2, k).trim();
  inside = inside.replace(/\s+(?:"[^"]*"|'[^']*'|\([^)]*\))$/, '');
  const href = inside.replace(/^<(.*)>$/, '$1').trim();
  return { label, href, end: k + 1 };
}

/** linkTextWithMentions adds text with bare links and GitHub @mentions. */
function linkTextWithMentions(out: Inline[], t: string): void {
  const re = /(^|[^\w@/.])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]+)?)\b/g;
  let last = 0;
  for (const m of t.matchAll(re)) {
    const at = (m.index ?? 0) + m[1].length;
    linkText(out, t.slice(last, at));
    out.push({ kind: 'mention', text: '@' + m[2] });
    last = at + 1 + m[2].length;
  }
  linkText(out, t.slice(last));
}
