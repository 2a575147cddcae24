import { describe, expect, it } from 'vitest';
import { BINDINGS, Matcher } from './keymap';
import {
  contentSecurityPolicy,
  decodeEntities,
  emailDocument,
  imageAddress,
  imageLine,
  linkAction,
  linkRefusal,
  linkTarget,
  refusedNote,
  scrollPage,
  scrollStep,
  senderAddress,
  SCROLL_HOWS,
  SCROLL_LINE,
} from './reader';

/** body returns what emailDocument put between <body> and </body>. */
function body(html: string, images = false): string {
  const { srcdoc } = emailDocument(html, { images });
  return srcdoc.slice(srcdoc.indexOf('<body>') + 6, srcdoc.lastIndexOf('</body>'));
}

describe('emailDocument', () => {
  it('puts the CSP first in the head and keeps https out until images are allowed', () => {
    const blocked = emailDocument('<p>Hi</p>', { images: false }).srcdoc;
    const head = blocked.slice(0, blocked.indexOf('<style>'));
    expect(head).toContain('http-equiv="Content-Security-Policy"');
    expect(head).toContain("default-src 'none'");
    expect(head).toContain('img-src data:;');
    expect(head).not.toContain('https:');
    expect(head).toContain('name="referrer" content="no-referrer"');
    // Nothing before the policy could load anything.
    expect(blocked.indexOf('Content-Security-Policy')).toBeLessThan(blocked.indexOf('<body>'));
    const allowed = emailDocument('<p>Hi</p>', { images: true }).srcdoc;
    expect(allowed).toContain('img-src data: https:;');
  });

  it('keeps ordinary sanitized mail as it is', () => {
    const html =
      '<table width="600" cellpadding="0"><tr><td style="color: #333; padding: 8px">Hello <b>Ada</b> &amp; friends&nbsp;&lt;3</td></tr></table>';
    expect(body(html)).toBe(
      '<table width="600" cellpadding="0"><tr><td style="color: #333; padding: 8px">Hello <b>Ada</b> &amp; friends&nbsp;&lt;3</td></tr></table>',
    );
  });

  it('takes the href off links and lists them in order', () => {
    const doc = emailDocument(
      '<p><a href="https://example.com/a?x=1&amp;y=2" rel="nofollow noreferrer" target="_blank">Read <b>more</b></a> or ' +
        '<a href="mailto:ada@example.com">mail Ada</a>, not <a href="javascript:alert(1)">this</a>.</p>',
      { images: false },
    );
    expect(doc.links).toEqual([
      { text: 'Read more', href: 'https://example.com/a?x=1&y=2' },
      { text: 'mail Ada', href: 'mailto:ada@example.com' },
    ]);
    const b = body(
      '<a href="https://example.com/a?x=1&amp;y=2" rel="nofollow noreferrer" target="_blank">Read</a><a href="javascript:alert(1)">x</a>',
    );
    expect(b).toBe(
      '<a data-lull-link="0" title="https://example.com/a?x=1&amp;y=2" tabindex="0" role="link">Read</a><a data-lull-refused="javascript">x</a>',
    );
    expect(b).not.toMatch(/href|target|rel=/);
  });

  it('parks remote images until they are allowed, then loads them over https only', () => {
    const html =
      '<img data-lull-src="http://track.example/p.gif?u=1&amp;m=2" width="1" height="1">' +
      '<img data-lull-src="https://cdn.example/logo.png" alt="Logo">' +
      '<img data-lull-src="//cdn.example/x.png">' +
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">' +
      '<img src="cid:part1@example">';
    const off = emailDocument(html, { images: false });
    expect(off.remoteImages).toBe(3);
    expect(off.imagesLoaded).toBe(false);
    expect(body(html)).not.toMatch(/src="https?:|src="\/\//);
    expect(body(html)).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">');
    // A cid: image mailparse could not inline (too large, missing) cannot load: a quiet box.
    expect(body(html)).toContain('<img alt="" data-lull-blocked>');
    expect(body(html)).not.toContain('cid:');

    const on = emailDocument(html, { images: true });
    expect(on.imagesLoaded).toBe(true);
    const b = body(html, true);
    expect(b).toContain('<img src="https://track.example/p.gif?u=1&amp;m=2" referrerpolicy="no-referrer" width="1" height="1">');
    // Blocked, an image is a quiet box of its given size, its alt text a tooltip.
    expect(body(html)).toContain('<img width="1" height="1" alt="" data-lull-blocked><img alt="" title="Logo" data-lull-blocked>');
    expect(b).toContain('src="https://cdn.example/logo.png"');
    expect(b).toContain('src="https://cdn.example/x.png"');
  });

  it('never lets an address in data-lull-src load anything but an https image', () => {
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'ftp://x/y']) {
      const b = body(`<img data-lull-src="${bad.replace(/"/g, '&quot;').replace(/</g, '&lt;')}">`, true);
      expect(b).toBe('<img alt="" data-lull-blocked>');
    }
    // Only <img> may use the parking slot.
    expect(body('<div data-lull-src="https://x.example/a.png">x</div>', true)).toBe('<div>x</div>');
  });

  // Hostile HTML as a careless or older sanitizer might have let through:
  // this pass alone must leave nothing that runs or loads.
  const hostile: [string, string, string][] = [
    ['script tag', '<p>a</p><script>alert(1)</script><p>b</p>', '<p>a</p><p>b</p>'],
    ['script with a fake end inside a string', '<script>var s="</scr"+"ipt>";alert(1)</script>ok', 'ok'],
    ['event handlers', '<img src="data:image/gif;base64,R0lGOD" onerror="alert(1)" ONLOAD=alert(2)><div onmouseover=\'x()\'>d</div>', '<img src="data:image/gif;base64,R0lGOD"><div>d</div>'],
    ['javascript: href', '<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a><a href="java&#x09;script:alert(1)">z</a>',
      '<a data-lull-refused="javascript">x</a><a data-lull-refused="javascript">y</a><a data-lull-refused="javascript">z</a>'],
    ['javascript: src', '<img src="javascript:alert(1)">', '<img alt="" data-lull-blocked>'],
    ['formaction', '<form action="https://evil.example/"><button formaction="javascript:alert(1)">go</button><input name=q></form>', 'go'],
    ['svg with script', '<svg onload="alert(1)"><script>alert(2)</script><circle r="5"/></svg>after', 'after'],
    // A browser reads <svg/onload=…> as an open <svg>: what follows is inside it.
    ['svg opened with a slash', '<svg/onload=alert(1)>after', ''],
    ['math namespace confusion', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ''],
    ['css expression and url()', '<div style="width: expression(alert(1))">a</div><div style="background: url(https://t.example/p.gif)">b</div><p style="color: red">c</p>', '<div>a</div><div>b</div><p style="color: red">c</p>'],
    ['style element with @import', '<style>@import "https://evil.example/x.css"; body{background:url(//t.example/p)}</style>ok', 'ok'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">ok', 'ok'],
    ['base href', '<base href="https://evil.example/"><a href="/path">rel</a>', '<a data-lull-refused="relative">rel</a>'],
    ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">ok', 'ok'],
    ['iframe, object, embed', '<iframe src="https://evil.example/"></iframe><object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y">ok', 'ok'],
    ['iframe srcdoc', '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>ok', 'ok'],
    ['srcset and background', '<img srcset="https://t.example/a.png 1x" alt="a"><table background="https://t.example/bg.png"><tr><td background="//t.example/b">x</td></tr></table>', '<img alt="" title="a" data-lull-blocked><table><tr><td>x</td></tr></table>'],
    ['video poster and audio', '<video poster="https://t.example/p.jpg" src="https://t.example/v.mp4"></video><audio src="https://t.example/a.mp3"></audio>ok', 'ok'],
    ['data: URL with HTML', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a><img src="data:text/html,<script>alert(1)</script>">', '<a data-lull-refused="data">click</a><img alt="" data-lull-blocked>'],
    ['data: SVG image', '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">', '<img alt="" data-lull-blocked>'],
    ['pre-filled reader attributes', '<a data-lull-link="7" data-lull-refused="x" tabindex="-1" role="button" href="https://x.example">x</a><img src="data:image/png;base64,iVBO" data-lull-blocked>',
      '<a data-lull-link="0" title="https://x.example" tabindex="0" role="link">x</a><img src="data:image/png;base64,iVBO">'],
    ['a refused mark that is not a scheme', '<a data-lull-refused="&quot;><script>alert(1)</script>">x</a>', '<a data-lull-refused="other">x</a>'],
    ['attribute breaking out of quotes', '<a title="&quot; onmouseover=&quot;alert(1)" href="https://x.example/">x</a>', '<a data-lull-link="0" title="https://x.example/" tabindex="0" role="link">x</a>'],
    ['unclosed tag', '<a href="https://x.example/ onclick=alert(1)>never closed', '&lt;a href="https://x.example/ onclick=alert(1)&gt;never closed'],
    ['comment hiding a tag', '<!-- <img src=x onerror=alert(1)> -->ok<!--', 'ok'],
    ['namespaced attribute', '<a xlink:href="javascript:alert(1)" xmlns:xlink="http://www.w3.org/1999/xlink">x</a>', '<a>x</a>'],
    ['ping', '<a href="https://x.example/" ping="https://t.example/ping">x</a>', '<a data-lull-link="0" title="https://x.example/" tabindex="0" role="link">x</a>'],
    ['image map area', '<map><area href="javascript:alert(1)" shape="rect"></map>', '<map><area shape="rect"></map>'],
    ['textarea swallowing markup', '<textarea><img src=x onerror=alert(1)></textarea>ok', 'ok'],
    ['noscript mXSS', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>ok', 'ok'],
    ['quote in an attribute name', '<div a"b>text<img src=x onerror=alert(1)>"</div>', // One tag to this pass, re-serialised: the browser never sees the <img>.
      '<div a b text img div>'],
  ];
  for (const [name, html, want] of hostile) {
    it(`defuses ${name}`, () => {
      const b = body(html, true);
      expect(b).toBe(want);
      // Look at the tags only, with attribute values blanked: text and values may say anything.
      const tags = [...b.matchAll(/<[a-z][^>]*>/gi)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
      for (const tag of tags) {
        expect(tag).not.toMatch(/^<(script|iframe|object|embed|svg|math|style|meta|base|link|form|input|button|textarea|noscript)\b/i);
        expect(tag).not.toMatch(/\s(on[a-z]+|href|srcset|background|action|formaction|poster)\b/i);
      }
      for (const m of b.matchAll(/\ssrc="([^"]*)"/g)) expect(m[1]).toMatch(/^(data:image\/|https:\/\/)/);
    });
  }

  it('handles empty and huge input', () => {
    expect(body('')).toBe('');
    expect(emailDocument(undefined, { images: false }).links).toEqual([]);
    const big = '<p>' + 'word '.repeat(100_000) + '</p>';
    const t = performance.now();
    expect(body(big).length).toBe(big.length);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('links in the frame', () => {
  it('makes openable links focusable and marks the rest with why', () => {
    const doc = emailDocument(
      '<a href="https://example.com/">web</a> <a data-lull-refused="javascript">js</a> <a href="#top">top</a> ' +
        '<a href="mailto:a@example.com" title="a lie">mail</a> <a name="anchor">plain</a>',
      { images: false },
    );
    const b = doc.srcdoc.slice(doc.srcdoc.indexOf('<body>') + 6, doc.srcdoc.lastIndexOf('</body>'));
    expect(b).toBe(
      '<a data-lull-link="0" title="https://example.com/" tabindex="0" role="link">web</a> ' +
        '<a data-lull-refused="javascript">js</a> <a data-lull-refused="relative">top</a> ' +
        '<a data-lull-link="1" title="mailto:a@example.com" tabindex="0" role="link">mail</a> <a name="anchor">plain</a>',
    );
    expect(doc.links.map((l) => l.href)).toEqual(['https://example.com/', 'mailto:a@example.com']);
  });

  it('names the reason a link is refused as a browser would read it', () => {
    const cases: [string, string][] = [
      ['https://example.com/', ''],
      [' HTTP://example.com/', ''],
      ['mailto:a@example.com', ''],
      ['javascript:alert(1)', 'javascript'],
      ['\u0001 java\tscri\npt:alert(1)', 'javascript'],
      ['vbscript:msgbox(1)', 'vbscript'],
      ['data:text/html,x', 'data'],
      ['file:///etc/passwd', 'file'],
      ['cid:part@x', 'cid'],
      ['#top', 'relative'],
      ['/path', 'relative'],
      ['', 'relative'],
      ['https:no-slashes', 'other'],
      ['a-very-long-scheme-name:x', 'other'],
    ];
    for (const [href, want] of cases) expect([href, linkRefusal(href)]).toEqual([href, want]);
  });

  it('opens only what the link list holds, whatever the frame says', () => {
    const links = [
      { text: 'a', href: 'https://example.com/a' },
      { text: 'm', href: 'mailto:a@example.com' },
      { text: 'bad', href: 'javascript:alert(1)' }, // never built, but not trusted either
    ];
    expect(linkAction('0', null, links)).toEqual({ kind: 'open', href: 'https://example.com/a' });
    expect(linkAction('1', null, links)).toEqual({ kind: 'open', href: 'mailto:a@example.com' });
    for (const i of ['2', '3', '-1', '1.0', ' 1', '0x1', '', 'constructor', '__proto__', '99999999']) {
      expect(linkAction(i, null, links)).toEqual({ kind: 'none' });
    }
    expect(linkAction(null, 'javascript', links)).toEqual({ kind: 'refused', why: 'javascript' });
    expect(linkAction('9', 'relative', links)).toEqual({ kind: 'refused', why: 'relative' });
    expect(linkAction(null, '<b>', links)).toEqual({ kind: 'refused', why: 'other' });
    expect(linkAction(null, null, links)).toEqual({ kind: 'none' });
  });

  it('says where a link goes, or why it does not', () => {
    expect(linkTarget({ kind: 'open', href: 'https://example.com/a ' })).toBe('https://example.com/a');
    expect(linkTarget({ kind: 'none' })).toBe('');
    expect(linkTarget({ kind: 'refused', why: 'javascript' })).toBe(refusedNote('javascript'));
    expect(refusedNote('javascript')).toBe('Not opened: javascript: links never open (only http, https and mailto)');
    expect(refusedNote('relative')).toBe('Not opened: this link has no web address');
    expect(refusedNote('other')).toBe('Not opened: only http, https and mailto links open');
    expect(refusedNote('<script>')).toBe('Not opened: only http, https and mailto links open');
  });
});

describe('contentSecurityPolicy', () => {
  it('forbids scripts, frames, forms and every remote load', () => {
    const p = contentSecurityPolicy(false);
    for (const d of ["default-src 'none'", "script-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-src 'none'", "object-src 'none'"]) {
      expect(p).toContain(d);
    }
    expect(p).not.toMatch(/https?:|\*|'unsafe-eval'/);
  });
});

describe('imageAddress', () => {
  it('loads https, upgrades http and protocol-relative, refuses the rest', () => {
    expect(imageAddress('https://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(imageAddress('http://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(imageAddress('HTTP://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(imageAddress('//cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(imageAddress('javascript:alert(1)')).toBeNull();
    expect(imageAddress('data:image/png;base64,xx')).toBeNull();
    expect(imageAddress('https://')).toBeNull();
    expect(imageAddress(undefined)).toBeNull();
  });
});

describe('decodeEntities', () => {
  it('decodes what bluemonday writes and leaves the unknown', () => {
    expect(decodeEntities('a&amp;b&lt;c&gt;&#34;&#39;&quot;&#x41;&nbsp;')).toBe('a&b<c>"\'"A\u00a0');
    expect(decodeEntities('&bogus; &#0; &#xD800;')).toBe('&bogus; \ufffd \ufffd');
  });
});

describe('imageLine', () => {
  it('says what is blocked and how to load it', () => {
    expect(imageLine(0, 'blocked')).toBe('');
    expect(imageLine(3, 'blocked', { load: 'i', always: 'Shift+I' })).toBe('3 remote images blocked (trackers) · i load · Shift+I always from sender');
    expect(imageLine(1, 'blocked', { load: 'i' })).toBe('1 remote image blocked (trackers) · i load');
    expect(imageLine(2, 'message', { always: 'T' })).toBe('2 remote images shown for this message · T always from sender');
    expect(imageLine(2, 'sender', { load: 'i', always: 'T' })).toBe('2 remote images shown · always loaded from this sender · T to stop');
    expect(imageLine(2, 'sender')).toBe('2 remote images shown · always loaded from this sender');
  });
});

describe('senderAddress', () => {
  it('keys email senders only', () => {
    expect(senderAddress(' Ada@Example.com ')).toBe('ada@example.com');
    expect(senderAddress('<news@shop.example>')).toBe('news@shop.example');
    expect(senderAddress('U024BE7LH')).toBe('');
    expect(senderAddress('a b@c.d')).toBe('');
    expect(senderAddress(undefined)).toBe('');
  });
});

describe('the reader keys', () => {
  it('are bound once, and nothing in the inbox shadows them', () => {
    const want = { i: 'images load', T: 'images sender', L: 'links show' } as Record<string, string>;
    for (const [key, command] of Object.entries(want)) {
      const hits = BINDINGS.filter((b) => b.keys === key && b.section !== 'links' && b.section !== 'help');
      expect(hits.map((b) => `${b.section}:${b.command}`)).toEqual([`global:${command}`]);
    }
  });

  it('drive the link list while it is open', () => {
    const m = new Matcher();
    const press = (key: string) => m.feed({ key }, ['links'], 0);
    expect(press('j')).toMatchObject({ command: 'links next' });
    expect(press('k')).toMatchObject({ command: 'links prev' });
    expect(press('Enter')).toMatchObject({ command: 'links open' });
    expect(press('Escape')).toMatchObject({ command: 'links close' });
    expect(press('L')).toMatchObject({ command: 'links close' });
    // Triage keys do nothing while the list has the keyboard.
    expect(press('e')).toEqual({ kind: 'none' });
  });
});

describe('scrollStep', () => {
  const page = 600 - SCROLL_LINE;
  it.each([
    ['line-down', { by: SCROLL_LINE }],
    ['line-up', { by: -SCROLL_LINE }],
    ['page-down', { by: page }],
    ['page-up', { by: -page }],
    ['top', { to: 'start' }],
    ['bottom', { to: 'end' }],
    ['sideways', null],
    [undefined, null],
  ])('scroll %s goes %j', (how, want) => {
    expect(scrollStep(how, 600)).toEqual(want);
  });
  it('knows every how the command takes', () => {
    expect(SCROLL_HOWS.filter((h) => scrollStep(h, 600) === null)).toEqual([]);
  });
  it('still scrolls a line in a frame shorter than two lines', () => {
    expect(scrollStep('page-down', 30)).toEqual({ by: SCROLL_LINE });
  });
});

describe('scrollPage', () => {
  it('moves by a step or to an end, and ignores a how it does not know', () => {
    const calls: string[] = [];
    const target = {
      scrollBy: (o: ScrollToOptions) => calls.push(`by ${o.top}`),
      scrollTo: (o: ScrollToOptions) => calls.push(`to ${o.top}`),
    };
    for (const how of ['page-down', 'line-up', 'top', 'bottom', 'sideways']) scrollPage(target, how, 600, 5000);
    expect(calls).toEqual([`by ${600 - SCROLL_LINE}`, `by ${-SCROLL_LINE}`, 'to 0', 'to 5000']);
  });
});
