// The email reader's document: it turns an item's sanitized HTML (bluemonday
// at sync, connectors/mailparse/sanitize.go) into the srcdoc of a sandboxed
// iframe that can neither run scripts nor reach the network.
//
// Layers, outermost first:
//  1. the iframe's sandbox allows nothing but the same origin: no scripts,
//     no forms, no popups, no navigation of the window; the same origin only
//     lets the window's own code listen to clicks and keys in the frame
//     (EmailFrame.svelte);
//  2. a Content-Security-Policy meta tag as the document's first child:
//     nothing loads but data: images (plus https: images once the user loads
//     them), inline styles, data: fonts; no script runs;
//  3. this module's pass over the tags: links lose their href, so nothing in
//     the frame can navigate it, and carry their index in the link list
//     instead; the window opens that list entry in the system browser when
//     the link is clicked or chosen (L). Links Lull would refuse are marked
//     with why. Remote images stay parked in data-lull-src until the user
//     asks; elements and attributes that can load or run anything are
//     dropped again, in case an older sync stored less careful HTML.
//
// Pure string work, no DOM, so reader.test.ts feeds it hostile HTML in Node.

import type { Link } from './markup';

/** The attribute mailparse parks a remote image's address in. */
export const BLOCKED_SRC = 'data-lull-src';
/** The attribute a rewritten link carries: its index in EmailDocument.links. */
export const LINK_ATTR = 'data-lull-link';
/** The attribute an image that will not load carries, for its quiet style. */
export const BLOCKED_MARK = 'data-lull-blocked';
/**
 * The attribute of a link Lull will not open, its value the reason: the
 * scheme ("javascript"), "relative" for an address inside the message, or
 * "other". mailparse writes it at sync; this module for older HTML.
 */
export const REFUSED_ATTR = 'data-lull-refused';

export interface EmailDocument {
  /** The complete srcdoc: CSP, base style, body. */
  srcdoc: string;
  /** The message's links in order; the reader opens them by number. */
  links: Link[];
  /** Remote images in the message (shown or not). */
  remoteImages: number;
  /** Whether remote images were let through (and the CSP allows https:). */
  imagesLoaded: boolean;
}

/** Elements removed together with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'template', 'noscript', 'noembed', 'noframes', 'iframe', 'frameset', 'object', 'applet',
  'svg', 'math', 'textarea', 'select', 'title', 'xmp', 'plaintext', 'video', 'audio', 'canvas',
]);

/** Elements removed while their content stays. */
const DROP_TAG = new Set([
  'html', 'head', 'body', 'meta', 'link', 'base', 'form', 'input', 'button', 'param', 'source', 'track',
  'picture', 'portal', 'dialog', 'slot', 'image', 'isindex', 'keygen', 'frame', 'embed',
]);

/** Void elements: they have no end tag. */
const VOID = new Set(['area', 'br', 'col', 'hr', 'img', 'wbr']);

/** Attributes that fetch, navigate or run something, whatever element they are on. */
const DROP_ATTR = new Set([
  'srcset', 'background', 'action', 'formaction', 'poster', 'ping', 'lowsrc', 'dynsrc', 'longdesc', 'codebase',
  'data', 'archive', 'manifest', 'http-equiv', 'target', 'rel', 'srcdoc', 'xmlns', 'is', 'content',
  'usemap', 'sandbox', 'allow', 'itemtype', 'profile', 'cite', 'classid', 'tabindex', 'accesskey', 'autofocus',
]);

/** A style value that could fetch or run something. */
const RISKY_STYLE = /url\s*\(|expression|@import|javascript:|behavior|-moz-binding|\\|image-set|src\s*\(/i;

const REMOTE = /^\s*(?:https?:)?\/\//i;
// cid: images were shown as data: URLs at sync (mailparse); one still cid:
// was too large or is missing and cannot load, so it is a quiet box.
const INLINE_IMAGE = /^\s*data:image\/(?:png|gif|jpe?g|webp|bmp|x-icon|avif);/i;
/** An address the system browser may open: what Workspace.OpenURL accepts. */
const OPENABLE = /^\s*(https?:\/\/|mailto:)/i;
/** A reason a link is refused, as REFUSED_ATTR carries it. */
const REFUSAL = /^[a-z][a-z0-9+.-]{0,15}$/;

/**
 * linkRefusal says why Lull will not open href, or '' when it will: the
 * scheme, "relative" when there is none, "other" when it is odd. The address
 * is read as a browser reads it (leading blanks and controls skipped, tabs
 * and newlines ignored), so "java\tscript:" is named for what it is.
 */
export function linkRefusal(href: string): string {
  if (OPENABLE.test(href)) return '';
  const s = href.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (!m) return 'relative';
  const scheme = m[1].toLowerCase();
  return REFUSAL.test(scheme) && !/^(https?|mailto)$/.test(scheme) ? scheme : 'other';
}

/** imageAddress returns the https address to load for a parked image, or null. */
export function imageAddress(raw: string | undefined): string | null {
  if (!raw || !REMOTE.test(raw)) return null;
  const s = raw.trim();
  // The CSP lets https: through only: an http: image is upgraded (most
  // image hosts serve both), a protocol-relative one made explicit.
  const url = s.startsWith('//') ? 'https:' + s : s.replace(/^http:/i, 'https:');
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname ? u.href : null;
  } catch {
    return null;
  }
}

/** contentSecurityPolicy is the frame's policy; images adds https: to img-src. */
export function contentSecurityPolicy(images: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${images ? ' https:' : ''}`,
    "style-src 'unsafe-inline'",
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "script-src 'none'",
  ].join('; ');
}

/**
 * FRAME_STYLE is the base style: calm type that matches the pane, layouts
 * that cannot spill sideways, and rewritten links that still look like links.
 * The message's own inline styles win where they set something.
 */
export const FRAME_STYLE = `
:root { color-scheme: light; }
html { background: #fcfcfb; }
body {
  margin: 0; padding: 2px 2px 32px;
  font: 14px/1.6 system-ui, sans-serif;
  color: #1c1c1f; overflow-wrap: anywhere; -webkit-font-smoothing: antialiased;
}
p { margin: 0 0 0.9em; }
img { max-width: 100%; }
img[src] { height: auto; }
/* A blocked image keeps the box its sender sized, quietly; an unsized one takes no room. */
img[${BLOCKED_MARK}] { background: #f0f0ec; border-radius: 2px; }
img[${BLOCKED_MARK}]:not([width]):not([height]) { display: none; }
table { max-width: 100%; }
td, th { overflow-wrap: anywhere; }
a[${LINK_ATTR}] { color: #4649a6; text-decoration: underline; text-decoration-color: rgba(70, 73, 166, 0.35); text-underline-offset: 2px; cursor: pointer; }
a[${LINK_ATTR}]:hover { text-decoration-color: currentColor; }
a[${LINK_ATTR}]:focus-visible { outline: 2px solid rgba(70, 73, 166, 0.55); outline-offset: 1px; border-radius: 2px; }
a[${REFUSED_ATTR}] { text-decoration-line: underline; text-decoration-style: dotted; text-decoration-color: rgba(0, 0, 0, 0.3); cursor: not-allowed; }
blockquote { margin: 0.6em 0; padding-left: 12px; border-left: 2px solid #d9d8d2; color: #75757c; }
pre, code, kbd, samp, tt { font-family: ui-monospace, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; background: #f0f0ec; padding: 10px 12px; border-radius: 6px; }
hr { border: 0; border-top: 1px solid #e4e3de; margin: 1.2em 0; }
h1, h2, h3 { line-height: 1.3; }
`;

/** escapeAttr escapes an attribute value for a double-quoted attribute. */
export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** decodeEntities decodes the character references bluemonday writes. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const n = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\ufffd';
    }
    return NAMED[ref.toLowerCase()] ?? m;
  });
}

interface Attr {
  name: string;
  value: string;
}

/** readAttrs parses the attributes of a start tag's inside ("a href=x"). */
function readAttrs(s: string): Attr[] {
  const out: Attr[] = [];
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of s.matchAll(re)) {
    const name = m[1].toLowerCase();
    if (out.some((a) => a.name === name)) continue; // the first one wins, as in a browser
    out.push({ name, value: decodeEntities(m[2] ?? m[3] ?? m[4] ?? '') });
  }
  return out;
}

export interface BuildOptions {
  /** Let remote images load (https only). */
  images: boolean;
}

/**
 * emailDocument builds the iframe document for sanitized email HTML. The
 * result is safe even for raw, unsanitized HTML; sanitizing first keeps the
 * layout sane.
 */
export function emailDocument(html: string | undefined, opts: BuildOptions): EmailDocument {
  const links: Link[] = [];
  let remoteImages = 0;
  let out = '';
  const src = html ?? '';
  // Open elements whose text is dropped, and the open link whose text is
  // being collected for the link list.
  let skipping: string | null = null;
  let skipDepth = 0;
  let linkOpen: Link | null = null;
  let linkDepth = 0;

  const tagRe = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?(?:--!?>|$)|<![^>]*>?|<\?[^>]*>?/g;
  let last = 0;
  for (const m of src.matchAll(tagRe)) {
    const at = m.index ?? 0;
    if (at > last) text(src.slice(last, at));
    last = at + m[0].length;
    if (!m[2]) continue; // comment, doctype, processing instruction
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (skipping) {
      if (name === skipping) skipDepth += closing ? -1 : 1;
      if (skipDepth === 0) skipping = null;
      continue;
    }
    if (DROP_WITH_CONTENT.has(name)) {
      if (!closing && !/\/\s*$/.test(m[3])) {
        skipping = name;
        skipDepth = 1;
      }
      continue;
    }
    if (DROP_TAG.has(name) || name.includes(':')) continue;
    if (closing) {
      if (VOID.has(name)) continue;
      if (name === 'a' && linkOpen && --linkDepth === 0) linkOpen = null;
      out += `</${name}>`;
      continue;
    }
    out += startTag(name, readAttrs(m[3]));
  }
  if (last < src.length) text(src.slice(last));

  function text(t: string) {
    if (skipping) return;
    // Text is already escaped by the sanitizer; a stray "<" or ">" is escaped here.
    const safe = t.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    out += safe;
    if (linkOpen) linkOpen.text += decodeEntities(t);
  }

  function startTag(name: string, attrs: Attr[]): string {
    let s = `<${name}`;
    let alt: string | null = null;
    // A link's own title gives way to its address, which the reader shows on hover.
    const hrefAttr = name === 'a' ? attrs.find((x) => x.name === 'href') : undefined;
    const href = hrefAttr && OPENABLE.test(hrefAttr.value) ? hrefAttr.value.trim() : null;
    // A link that will not open says why: the mark mailparse left, or the
    // reason its href (from an older sync) would be refused.
    let refused: string | null = null;
    if (name === 'a' && href === null) {
      const mark = attrs.find((x) => x.name === REFUSED_ATTR)?.value;
      if (hrefAttr) refused = linkRefusal(hrefAttr.value) || 'other';
      else if (mark !== undefined) refused = REFUSAL.test(mark) ? mark : 'other';
    }
    for (const { name: a, value } of attrs) {
      if (a.startsWith('on') || DROP_ATTR.has(a) || a.startsWith('xlink') || a.startsWith('xml')) continue;
      if (a === 'style') {
        if (RISKY_STYLE.test(value)) continue;
      } else if (a === 'href' || (a === 'title' && href !== null) || (a === 'role' && href !== null)) {
        continue;
      } else if (a === 'src') {
        if (name !== 'img' || !INLINE_IMAGE.test(value)) continue;
      } else if (a === BLOCKED_SRC) {
        if (name !== 'img') continue;
        const url = imageAddress(value);
        if (!REMOTE.test(value)) continue;
        remoteImages++;
        if (opts.images && url && !attrs.some((x) => x.name === 'src' && INLINE_IMAGE.test(x.value))) {
          s += ` src="${escapeAttr(url)}" referrerpolicy="no-referrer"`;
        }
        continue;
      } else if (a === LINK_ATTR || a === BLOCKED_MARK || a === REFUSED_ATTR) {
        continue; // a sender cannot pre-fill the reader's own attributes
      } else if (a === 'alt' && name === 'img') {
        alt = value;
        continue;
      }
      s += value === '' ? ` ${a}` : ` ${a}="${escapeAttr(value)}"`;
    }
    if (name === 'img') {
      if (/ src="/.test(s)) {
        if (alt !== null) s += ` alt="${escapeAttr(alt)}"`;
      } else {
        // An image that will not load is a quiet box of the size its
        // sender gave (an empty alt keeps the browser's broken-image icon
        // away); its alt text moves to the tooltip.
        s += ` alt=""${alt?.trim() && !/ title="/.test(s) ? ` title="${escapeAttr(alt)}"` : ''} ${BLOCKED_MARK}`;
      }
    }
    if (refused !== null) s += ` ${REFUSED_ATTR}="${refused}"`;
    if (name === 'a' && href !== null) {
      // Focusable, so Tab reaches it and Enter opens it (EmailFrame).
      s += ` ${LINK_ATTR}="${links.length}" title="${escapeAttr(href)}" tabindex="0" role="link"`;
      linkOpen = { text: '', href };
      linkDepth = 1;
      links.push(linkOpen);
    } else if (name === 'a' && linkOpen) {
      linkDepth++;
    }
    return s + '>';
  }

  for (const l of links) l.text = l.text.replace(/\s+/g, ' ').trim();
  const imagesLoaded = opts.images && remoteImages > 0;
  const srcdoc =
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(opts.images))}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<style>${FRAME_STYLE}</style></head><body>${out}</body></html>`;
  return { srcdoc, links, remoteImages, imagesLoaded };
}

/** LinkAction is what activating a link in the frame does. */
export type LinkAction = { kind: 'open'; href: string } | { kind: 'refused'; why: string } | { kind: 'none' };

/**
 * linkAction reads the attributes this module wrote on a link in the frame
 * (its index in links, or why it is refused) as what a click or Enter on it
 * does. The address always comes from links, never from the frame.
 */
export function linkAction(index: string | null, refused: string | null, links: readonly Link[]): LinkAction {
  if (index !== null && /^\d{1,6}$/.test(index)) {
    const l = links[Number(index)];
    if (l && OPENABLE.test(l.href)) return { kind: 'open', href: l.href };
  }
  if (refused !== null) return { kind: 'refused', why: REFUSAL.test(refused) ? refused : 'other' };
  return { kind: 'none' };
}

/** refusedNote is the short line a click on a refused link shows. */
export function refusedNote(why: string): string {
  if (why === 'relative') return 'Not opened: this link has no web address';
  if (why === 'other' || !REFUSAL.test(why)) return 'Not opened: only http, https and mailto links open';
  return `Not opened: ${why}: links never open (only http, https and mailto)`;
}

/** linkTarget is what hovering or focusing a link in the frame shows: where it goes. */
export function linkTarget(action: LinkAction): string {
  if (action.kind === 'open') return action.href.trim();
  if (action.kind === 'refused') return refusedNote(action.why);
  return '';
}

/** ImageState is what the quiet line above a message says about its images. */
export type ImageState = 'blocked' | 'message' | 'sender';

/**
 * imageLine is the quiet line above a message with remote images:
 * "3 remote images blocked (trackers) · i load · T always from sender".
 */
export function imageLine(n: number, state: ImageState, keys: { load?: string; always?: string } = {}): string {
  if (n <= 0) return '';
  const noun = n === 1 ? 'remote image' : 'remote images';
  if (state === 'sender') return `${n} ${noun} shown · always loaded from this sender${keys.always ? ` · ${keys.always} to stop` : ''}`;
  if (state === 'message') return `${n} ${noun} shown for this message${keys.always ? ` · ${keys.always} always from sender` : ''}`;
  const hints = [keys.load && `${keys.load} load`, keys.always && `${keys.always} always from sender`].filter(Boolean);
  return `${n} ${noun} blocked (trackers)${hints.length ? ' · ' + hints.join(' · ') : ''}`;
}

/** senderAddress is the allowlist key of an email sender, or '' when it has none. */
export function senderAddress(addr: string | undefined): string {
  const s = (addr ?? '').trim().replace(/^<|>$/g, '').toLowerCase();
  return /^[^\s@<>,]+@[^\s@<>,]+$/.test(s) ? s : '';
}

/** ScrollStep is how far a scroll command goes: by a number of pixels, or to an end. */
export type ScrollStep = { by: number } | { to: 'start' | 'end' };

/** SCROLL_LINE is how far a line scrolls (the arrow keys), as in a browser. */
export const SCROLL_LINE = 40;

/** SCROLL_HOWS are what the scroll command takes. */
export const SCROLL_HOWS = ['line-down', 'line-up', 'page-down', 'page-up', 'top', 'bottom'] as const;

/**
 * scrollStep is how far "scroll <how>" goes in a page whose visible height
 * is viewport, as a browser scrolls a page it shows: a line, a page less a
 * line of overlap, or to an end. It is null for a how it does not know.
 */
export function scrollStep(how: string | undefined, viewport: number): ScrollStep | null {
  const page = Math.max(viewport - SCROLL_LINE, SCROLL_LINE);
  switch (how) {
    case 'line-down':
      return { by: SCROLL_LINE };
    case 'line-up':
      return { by: -SCROLL_LINE };
    case 'page-down':
      return { by: page };
    case 'page-up':
      return { by: -page };
    case 'top':
      return { to: 'start' };
    case 'bottom':
      return { to: 'end' };
  }
  return null;
}

/** Scrollable is what scrollPage moves: a frame's window or an element. */
export interface Scrollable {
  scrollBy(options: ScrollToOptions): void;
  scrollTo(options: ScrollToOptions): void;
}

/**
 * scrollPage runs "scroll <how>" on target, a page viewport tall and height
 * tall in all (see scrollStep); an unknown how does nothing.
 */
export function scrollPage(target: Scrollable, how: string | undefined, viewport: number, height: number): void {
  const step = scrollStep(how, viewport);
  if (!step) return;
  if ('by' in step) target.scrollBy({ top: step.by });
  else target.scrollTo({ top: step.to === 'start' ? 0 : height });
}

/** ReaderControls are the reading pane's commands, run by the window's dispatcher. */
export interface ReaderControls {
  /** "load": this message's remote images; "sender": always for its sender (again: stop). */
  images: (how: string | undefined) => void;
  /** "show" toggles the link list; "next", "prev", "open", "close" work it. */
  links: (how: string | undefined) => void;
  /** linksOpen says whether the link list has the keyboard. */
  linksOpen: () => boolean;
  /** scroll scrolls the message (an email's frame, else the pane) as scrollStep says. */
  scroll: (how: string | undefined) => void;
  /** copy copies the text selected in an email's frame, reporting whether there was any. */
  copy: () => boolean;
}
