import { describe, expect, it } from 'vitest';
import { collectLinks, parseMarkdown, parseMarkdownInline, parseSlack, parseSlackInline, type Block, type Inline } from './markup';

const t = (text: string): Inline => ({ kind: 'text', text });
const p = (...children: Inline[]): Block => ({ kind: 'paragraph', children });
const link = (href: string, label: string): Inline => ({ kind: 'link', href, children: [t(label)] });

/** Every href in a tree, wherever it is. */
function hrefs(x: unknown): string[] {
  if (Array.isArray(x)) return x.flatMap(hrefs);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return [...(typeof o.href === 'string' ? [o.href] : []), ...Object.values(o).flatMap(hrefs)];
  }
  return [];
}

describe('parseSlackInline', () => {
  const cases: [string, string, Inline[]][] = [
    ['plain text', 'hello there', [t('hello there')]],
    ['bold', 'a *big* deal', [t('a '), { kind: 'strong', children: [t('big')] }, t(' deal')]],
    ['italic', '_really_', [{ kind: 'em', children: [t('really')] }]],
    ['strike', '~gone~ now', [{ kind: 'strike', children: [t('gone')] }, t(' now')]],
    ['nested', '*bold _and italic_*', [{ kind: 'strong', children: [t('bold '), { kind: 'em', children: [t('and italic')] }] }]],
    ['code keeps markup', 'run `*not bold* <@U1>` now', [t('run '), { kind: 'code', text: '*not bold* <@U1>' }, t(' now')]],
    ['arithmetic is not bold', '2 * 3 * 4', [t('2 * 3 * 4')]],
    ['snake_case is not italic', 'data_region and user_id', [t('data_region and user_id')]],
    ['unclosed star', 'a *b', [t('a *b')]],
    ['mention with name', 'hi <@U024BE7LH|ada>', [t('hi '), { kind: 'mention', text: '@ada' }]],
    ['mention without name', '<@U024BE7LH> ping', [{ kind: 'mention', text: '@U024BE7LH' }, t(' ping')]],
    ['channel', 'see <#C01ABC|incidents>', [t('see '), { kind: 'channel', text: '#incidents' }]],
    ['special mention', '<!here> deploy', [{ kind: 'mention', text: '@here' }, t(' deploy')]],
    ['subteam', '<!subteam^S1|@oncall>', [{ kind: 'mention', text: '@oncall' }]],
    ['date fallback', '<!date^1392734382^{date}|Feb 18>', [t('Feb 18')]],
    ['labelled link', 'read <https://docs.example/rfc/041|RFC 041>.', [t('read '), link('https://docs.example/rfc/041', 'RFC 041'), t('.')]],
    ['bare link token', '<https://example.com/a?b=1&amp;c=2>', [link('https://example.com/a?b=1&c=2', 'https://example.com/a?b=1&c=2')]],
    ['mailto token', '<mailto:ada@example.com|ada@example.com>', [link('mailto:ada@example.com', 'ada@example.com')]],
    ['escaped brackets are text', 'if a &lt; b &amp;&amp; c &gt; d', [t('if a < b && c > d')]],
    ['flattened link from a connector', 'RFC 041 (https://docs.example/rfc/041)', [t('RFC 041 ('), link('https://docs.example/rfc/041', 'https://docs.example/rfc/041'), t(')')]],
    ['hostile: javascript link token', '<javascript:alert(1)|click>', [t('<javascript:alert(1)|click>')]],
    ['hostile: markup in a link label', '<https://x.example|<img src=x onerror=alert(1)>>', [t('<'), link('https://x.example|', 'https://x.example|'), t('<img src=x onerror=alert(1)>>')]],
    ['hostile: html is text', '<img src=x onerror=alert(1)>', [t('<img src=x onerror=alert(1)>')]],
    ['hostile: script is text', '<script>alert(1)</script>', [t('<script>alert(1)</script>')]],
    ['hostile: fake mention', '<@"><img src=x>|x>', [t('<@"><img src=x>|x>')]],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => expect(parseSlackInline(input)).toEqual(want));
  }
});

describe('parseSlack', () => {
  it('splits paragraphs, quotes and code blocks', () => {
    const got = parseSlack('Deploy log:\n```\n$ make deploy\n<b>ok</b> &amp; done\n```\n&gt; quoted *text*\n> more\n\nlast line');
    expect(got).toEqual([
      p(t('Deploy log:')),
      { kind: 'code', text: '$ make deploy\n<b>ok</b> & done' },
      { kind: 'quote', children: [p(t('quoted '), { kind: 'strong', children: [t('text')] }, { kind: 'break' }, t('more'))] },
      p(t('last line')),
    ]);
  });

  it('keeps line breaks inside a paragraph', () => {
    expect(parseSlack('one\ntwo')).toEqual([p(t('one'), { kind: 'break' }, t('two'))]);
  });

  it('reads an inline code block and an unclosed fence as text', () => {
    expect(parseSlack('```a = 1```')).toEqual([{ kind: 'code', text: 'a = 1' }]);
    expect(parseSlack('x ``` y')).toEqual([p(t('x ``` y'))]);
  });

  it('is empty for no text', () => {
    expect(parseSlack('')).toEqual([]);
    expect(parseSlack(undefined)).toEqual([]);
  });

  it('never produces a link that is not http(s) or mailto', () => {
    const hostile = [
      '<javascript:alert(1)|x>',
      '<JAVASCRIPT:alert(1)>',
      '<data:text/html,<script>alert(1)</script>|y>',
      '<vbscript:msgbox(1)|z>',
      '<file:///etc/passwd|f>',
      'javascript:alert(1)',
      '<https://ok.example|*bold* label>',
    ].join('\n');
    for (const h of hrefs(parseSlack(hostile))) expect(h).toMatch(/^(https?:\/\/|mailto:)/i);
  });
});

describe('parseMarkdownInline', () => {
  const cases: [string, string, Inline[]][] = [
    ['bold', 'a **b** c', [t('a '), { kind: 'strong', children: [t('b')] }, t(' c')]],
    ['bold underscores', '__b__', [{ kind: 'strong', children: [t('b')] }]],
    ['italic', '*i* and _j_', [{ kind: 'em', children: [t('i')] }, t(' and '), { kind: 'em', children: [t('j')] }]],
    ['strike', '~~old~~', [{ kind: 'strike', children: [t('old')] }]],
    ['intraword underscore', 'snake_case_name', [t('snake_case_name')]],
    ['code span', 'use `<=` here', [t('use '), { kind: 'code', text: '<=' }, t(' here')]],
    ['double backtick code', '``a ` b``', [{ kind: 'code', text: 'a ` b' }]],
    ['link', 'see [the docs](https://docs.example/x "Docs")', [t('see '), link('https://docs.example/x', 'the docs')]],
    ['link with parens', '[wiki](https://en.example/Foo_(bar))', [link('https://en.example/Foo_(bar)', 'wiki')]],
    ['bold link label', '[**go**](https://x.example)', [{ kind: 'link', href: 'https://x.example', children: [{ kind: 'strong', children: [t('go')] }] }]],
    ['autolink', '<https://x.example/a>', [link('https://x.example/a', 'https://x.example/a')]],
    ['bare url', 'at https://x.example/a.', [t('at '), link('https://x.example/a', 'https://x.example/a'), t('.')]],
    ['mention', 'cc @octocat and @acme/core.', [t('cc '), { kind: 'mention', text: '@octocat' }, t(' and '), { kind: 'mention', text: '@acme/core' }, t('.')]],
    ['email is not a mention', 'ada@example.com', [link('mailto:ada@example.com', 'ada@example.com')]],
    ['escapes', '\\*not\\* \\_em\\_', [t('*not* _em_')]],
    ['image becomes a link, never loads', '![chart](https://img.example/c.png)', [link('https://img.example/c.png', 'image: chart')]],
    ['br tag', 'a<br>b', [t('a'), { kind: 'break' }, t('b')]],
    ['soft tags dropped', '<details><summary>Logs</summary>x</details>', [t('Logsx')]],
    ['hostile: javascript link', '[click](javascript:alert(1))', [t('click')]],
    ['hostile: spaced javascript link', '[click]( javascript:alert(1) )', [t('click')]],
    ['hostile: data link', '[x](data:text/html;base64,PHNjcmlwdD4=)', [t('x')]],
    ['hostile: javascript image', '![x](javascript:alert(1))', [t('image: x')]],
    ['hostile: raw html is text', '<img src=x onerror=alert(1)>', [t('<img src=x onerror=alert(1)>')]],
    ['hostile: script is text', '<script>alert(1)</script>', [t('<script>alert(1)</script>')]],
    ['hostile: iframe is text', '<iframe src="https://evil.example"></iframe>', [t('<iframe src="'), link('https://evil.example', 'https://evil.example'), t('"></iframe>')]],
    ['hostile: autolink javascript', '<javascript:alert(1)>', [t('<javascript:alert(1)>')]],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => expect(parseMarkdownInline(input)).toEqual(want));
  }
});

describe('parseMarkdown', () => {
  it('parses the blocks of a review comment', () => {
    const src = [
      '<!-- PR template: describe your change -->',
      '## Summary',
      '',
      'Renames the column.',
      'Second line.',
      '',
      '```sql',
      'ALTER TABLE invoices RENAME region TO data_region;',
      '```',
      '',
      '> Off by one?',
      '> `<=` counts the slot twice.',
      '',
      '- [x] migration',
      '- [ ] backfill',
      '  - nested',
      '',
      '1. first',
      '2. second',
      '',
      '---',
    ].join('\n');
    expect(parseMarkdown(src)).toEqual([
      { kind: 'heading', level: 2, children: [t('Summary')] },
      p(t('Renames the column.'), { kind: 'break' }, t('Second line.')),
      { kind: 'code', text: 'ALTER TABLE invoices RENAME region TO data_region;', lang: 'sql' },
      { kind: 'quote', children: [p(t('Off by one?'), { kind: 'break' }, { kind: 'code', text: '<=' }, t(' counts the slot twice.'))] },
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [
          { task: true, children: [p(t('migration'))] },
          { task: false, children: [p(t('backfill')), { kind: 'list', ordered: false, start: 1, items: [{ children: [p(t('nested'))] }] }] },
        ],
      },
      { kind: 'list', ordered: true, start: 1, items: [{ children: [p(t('first'))] }, { children: [p(t('second'))] }] },
      { kind: 'rule' },
    ]);
  });

  it('keeps an unclosed fence as code to the end', () => {
    expect(parseMarkdown('```\nno end')).toEqual([{ kind: 'code', text: 'no end', lang: undefined }]);
  });

  it('numbers an ordered list from its first number', () => {
    const [list] = parseMarkdown('3. c\n4. d');
    expect(list).toMatchObject({ kind: 'list', ordered: true, start: 3 });
  });

  it('survives deep nesting and huge input', () => {
    const deep = '>'.repeat(5000) + ' x';
    expect(() => parseMarkdown(deep)).not.toThrow();
    const stars = '*'.repeat(20000) + 'x' + '*'.repeat(20000);
    const start = performance.now();
    expect(() => parseMarkdown(stars)).not.toThrow();
    expect(() => parseMarkdownInline('['.repeat(5000) + ']('.repeat(5000))).not.toThrow();
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('never produces a link that is not http(s) or mailto', () => {
    const hostile = [
      '[a](javascript:alert(1))',
      '[b](JaVaScRiPt:alert(1))',
      '[c](vbscript:x)',
      '[d](data:text/html,<script>alert(1)</script>)',
      '[e](file:///etc/passwd)',
      '[f](//evil.example/x)',
      '<javascript:alert(1)>',
      '![g](javascript:alert(1))',
      '[h](java\nscript:alert(1))',
      '[i](https://ok.example)',
    ].join('\n\n');
    const found = hrefs(parseMarkdown(hostile));
    expect(found).toEqual(['https://ok.example']);
  });

  it('strips HTML comments, even unclosed ones', () => {
    expect(parseMarkdown('a <!-- hidden --> b')).toEqual([p(t('a  b'))]);
    expect(parseMarkdown('a\n<!-- never closed\nb')).toEqual([p(t('a'))]);
  });
});

describe('collectLinks', () => {
  it('lists links in reading order with their labels', () => {
    const blocks = parseMarkdown('See [docs](https://d.example).\n\n> [quoted](https://q.example)\n\n- https://l.example');
    expect(collectLinks(blocks)).toEqual([
      { text: 'docs', href: 'https://d.example' },
      { text: 'quoted', href: 'https://q.example' },
      { text: 'https://l.example', href: 'https://l.example' },
    ]);
    expect(collectLinks(parseSlack('<https://s.example|Spec> and <@U1|ada>'))).toEqual([{ text: 'Spec', href: 'https://s.example' }]);
  });
});
