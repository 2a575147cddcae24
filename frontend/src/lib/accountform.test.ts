import { describe, expect, it } from 'vitest';
import type { Preset, TestResult } from './api';
import {
  check,
  emptyForm,
  fieldFor,
  fill,
  KINDS,
  resultLine,
  splitList,
  suggestName,
  toRequest,
  type Field,
  type FormState,
} from './accountform';

const PRESETS: Record<string, Preset> = {
  'gmail.com': { host: 'imap.gmail.com', port: 993, tls: 'implicit', note: 'Gmail needs an app password or OAuth.' },
  'outlook.com': { host: 'outlook.office365.com', port: 993, tls: 'implicit' },
};

function form(over: Partial<FormState> = {}): FormState {
  return { ...emptyForm(), ...over };
}

describe('fill', () => {
  it('fills the server and name from a known provider', () => {
    const f = form({ username: 'ada@gmail.com' });
    const r = fill(f, 'username', new Set(), PRESETS);
    expect(r.changes).toEqual({ host: 'imap.gmail.com', port: '993', name: 'gmail' });
    expect(r.note).toContain('app password');
  });

  it('guesses imap.DOMAIN for an unknown domain', () => {
    const r = fill(form({ username: 'me@work.example.org', port: '143', tls: 'starttls' }), 'username', new Set(), PRESETS);
    expect(r.changes).toEqual({ host: 'imap.work.example.org', port: '', tls: 'implicit', name: 'work' });
    expect(r.note).toBeUndefined();
  });

  it('never overwrites a field the user typed', () => {
    const touched = new Set<Field>(['host', 'name']);
    const f = form({ username: 'ada@outlook.com', host: 'mail.corp.example', name: 'corp' });
    expect(fill(f, 'username', touched, PRESETS).changes).toEqual({ port: '993' });
  });

  it('leaves the server alone while the address has no domain yet', () => {
    expect(fill(form({ username: 'ada@' }), 'username', new Set(), PRESETS).changes).toEqual({ name: 'mail' });
    expect(fill(form({ username: 'lull' }), 'username', new Set(), PRESETS).changes).toEqual({ name: 'lull' });
  });

  it('names a maildir account after its folder', () => {
    const f = form({ kind: 'maildir', path: '~/Mail/Work/' });
    expect(fill(f, 'path', new Set(), PRESETS).changes).toEqual({ name: 'work' });
  });

  it('moves an untyped port to the default of the security chosen', () => {
    expect(fill(form({ port: '993', tls: 'starttls' }), 'tls', new Set(), PRESETS).changes).toEqual({ port: '' });
    expect(fill(form({ port: '1143', tls: 'starttls' }), 'tls', new Set<Field>(['port']), PRESETS).changes).toEqual({});
  });

  it('drops Archive when the account becomes a Maildir (it can only mark read)', () => {
    expect(fill(form({ kind: 'maildir', onDone: 'archive' }), 'kind', new Set(), PRESETS).changes).toMatchObject({ onDone: 'none' });
  });

  it('brings a token kind its sync depth, what done does and its name', () => {
    expect(fill(form({ kind: 'github' }), 'kind', new Set(), PRESETS).changes).toEqual({ syncDays: '30', onDone: 'done', name: 'github' });
    expect(fill(form({ kind: 'asana' }), 'kind', new Set(), PRESETS).changes).toEqual({ syncDays: '14', name: 'asana' });
    expect(fill(form({ kind: 'slack', onDone: 'archive' }), 'kind', new Set(), PRESETS).changes).toEqual({ syncDays: '14', onDone: 'none', name: 'slack' });
    // Back to IMAP: its defaults again, and no name without an address.
    expect(fill(form({ kind: 'imap', syncDays: '30', onDone: 'done', name: 'github' }), 'kind', new Set(), PRESETS).changes).toEqual({
      syncDays: '90',
      onDone: 'none',
      name: '',
    });
  });

  it('keeps what the user chose when the new kind can do it', () => {
    const touched = new Set<Field>(['syncDays', 'onDone', 'name']);
    expect(fill(form({ kind: 'github', syncDays: '7', onDone: 'read', name: 'work-gh' }), 'kind', touched, PRESETS).changes).toEqual({});
    // "Archive" is IMAP's alone: even a chosen one gives way to the default.
    expect(fill(form({ kind: 'github', onDone: 'archive' }), 'kind', touched, PRESETS).changes).toEqual({ onDone: 'done' });
  });

  it('changes nothing for other fields', () => {
    expect(fill(form({ username: 'ada@gmail.com' }), 'host', new Set(), PRESETS).changes).toEqual({});
  });
});

describe('suggestName', () => {
  it.each([
    [{ kind: 'imap', username: 'me@fastmail.com', path: '' }, 'fastmail'],
    [{ kind: 'imap', username: 'Ada Lovelace', path: '' }, 'ada-lovelace'],
    [{ kind: 'imap', username: '', path: '' }, 'mail'],
    [{ kind: 'maildir', username: '', path: '/var/mail/ada' }, 'ada'],
    [{ kind: 'maildir', username: '', path: 'C:\\Mail\\Home\\' }, 'home'],
    [{ kind: 'github', username: 'left@over.example', path: '' }, 'github'],
    [{ kind: 'slack', username: '', path: '' }, 'slack'],
  ] as const)('%o → %s', (f, want) => {
    expect(suggestName(f)).toBe(want);
  });
});

describe('check', () => {
  const ok = form({ username: 'ada@example.com', password: 'pw', host: 'imap.example.com' });
  it.each<[string, Partial<FormState>, Field | null]>([
    ['complete', {}, null],
    ['no user', { username: ' ' }, 'username'],
    ['no password', { password: '' }, 'password'],
    ['command chosen but empty', { secret: 'command', passwordCmd: ' ' }, 'passwordCmd'],
    ['command given', { secret: 'command', password: '', passwordCmd: 'pass show mail' }, null],
    ['no host', { host: '' }, 'host'],
    ['port is text', { port: '99x' }, 'port'],
    ['port too big', { port: '70000' }, 'port'],
    ['port empty is the default', { port: '' }, null],
    ['days negative', { syncDays: '-1' }, 'syncDays'],
    ['days empty is the default', { syncDays: '' }, null],
    ['name with a dot', { name: 'a.b' }, 'name'],
    ['maildir without a path', { kind: 'maildir', path: '' }, 'path'],
    ['maildir needs no server', { kind: 'maildir', path: '~/Mail', host: '', password: '' }, null],
  ])('%s', (_, over, field) => {
    expect(check({ ...ok, ...over })?.field ?? null).toBe(field);
  });

  const gh = form({ kind: 'github', token: 'ghp_x', syncDays: '30', onDone: 'done' });
  it.each<[string, Partial<FormState>, Field | null]>([
    ['github complete', {}, null],
    ['github needs no server', { host: '', username: '', password: '' }, null],
    ['no token', { token: ' ' }, 'token'],
    ['token command chosen but empty', { secret: 'command', tokenCmd: '' }, 'tokenCmd'],
    ['token command given', { secret: 'command', token: '', tokenCmd: 'pass show lull/github' }, null],
    ['enterprise address', { baseUrl: 'https://ghe.example.com/api/v3/' }, null],
    ['address without a scheme', { baseUrl: 'ghe.example.com' }, 'baseUrl'],
    ['asana complete', { kind: 'asana', workspaces: 'Acme, 1200' }, null],
    ['asana sync depth 0', { kind: 'asana', syncDays: '0' }, 'syncDays'],
    ['asana sync depth 400', { kind: 'asana', syncDays: '400' }, 'syncDays'],
    ['slack complete', { kind: 'slack', token: 'xoxp-1', appToken: 'xapp-1', watched: '#incidents, C0123' }, null],
    ['slack app token is optional', { kind: 'slack', appToken: '' }, null],
    ['slack app token of the wrong kind', { kind: 'slack', appToken: 'xoxp-2' }, 'appToken'],
    ['slack app token command', { kind: 'slack', appSecret: 'command', appToken: 'junk', appTokenCmd: 'pass x' }, null],
    ['slack channel with a space', { kind: 'slack', watched: 'in cidents' }, 'watched'],
    ['a token kind names no server', { kind: 'github', host: '', port: '99x' }, null],
  ])('%s', (_, over, field) => {
    expect(check({ ...gh, ...over })?.field ?? null).toBe(field);
  });

  it('names the service and the token it needs', () => {
    expect(check(form({ kind: 'github' }))?.message).toMatch(/^Paste the GitHub token/);
    expect(check(form({ kind: 'slack' }))?.message).toMatch(/^Paste the Slack user token \(xoxp-\)/);
    expect(check(form({ kind: 'asana', secret: 'command' }))?.message).toContain('pass show lull/asana');
  });
});

describe('KINDS', () => {
  it('gives each kind an option whose first letter picks it from the keyboard', () => {
    const first = Object.values(KINDS).map((k) => k.label[0].toLowerCase());
    expect(new Set(first).size).toBe(first.length);
  });

  it('offers what done can do at each source, the default first', () => {
    expect(KINDS.github.onDone.map((o) => o.value)).toEqual(['done', 'read', 'none']);
    expect(KINDS.slack.onDone.map((o) => o.value)).toEqual(['none', 'read']);
    expect(KINDS.asana.onDone).toEqual([]);
  });
});

describe('toRequest', () => {
  it('sends IMAP settings with the password, numbers as numbers', () => {
    const f = form({ username: ' ada@example.com ', password: ' pw ', host: 'imap.example.com ', port: '993', folders: 'INBOX, Lists/Go,,INBOX', syncDays: '30', onDone: 'archive', name: 'home' });
    expect(toRequest(f)).toEqual({
      name: 'home', kind: 'imap', host: 'imap.example.com', port: 993, tls: 'implicit', username: 'ada@example.com',
      password: ' pw ', passwordCmd: '', folders: ['INBOX', 'Lists/Go'], syncDays: 30, onDone: 'archive', path: '',
      token: '', tokenCmd: '', appToken: '', appTokenCmd: '', baseUrl: '', workspaces: [], watched: [],
    });
  });

  it('sends the command instead of the password when a command is chosen', () => {
    const r = toRequest(form({ username: 'a', host: 'h', secret: 'command', password: 'typed before', passwordCmd: ' pass show x ' }));
    expect(r.password).toBe('');
    expect(r.passwordCmd).toBe('pass show x');
  });

  it('leaves defaults to the backend', () => {
    const r = toRequest(form({ username: 'a', host: 'h', password: 'p', port: '', syncDays: '' }));
    expect(r.port).toBe(0);
    expect('syncDays' in r).toBe(false);
  });

  it('sends only the maildir fields for Maildir', () => {
    const r = toRequest(form({ kind: 'maildir', path: ' ~/Mail ', folders: '', host: 'left over', password: 'x' }));
    expect(r).toMatchObject({ kind: 'maildir', path: '~/Mail', folders: [], host: '', password: '', username: '' });
  });

  it('sends a GitHub token and address, and nothing of IMAP', () => {
    const f = form({ kind: 'github', token: ' ghp_x ', baseUrl: ' https://ghe.example.com/api/v3/ ', syncDays: '30', onDone: 'read',
      username: 'left over', password: 'left over', host: 'left over', name: 'gh' });
    expect(toRequest(f)).toEqual({
      name: 'gh', kind: 'github', host: '', port: 0, tls: 'implicit', username: '', password: '', passwordCmd: '', folders: [],
      syncDays: 30, onDone: 'read', path: '', token: 'ghp_x', tokenCmd: '', appToken: '', appTokenCmd: '',
      baseUrl: 'https://ghe.example.com/api/v3/', workspaces: [], watched: [],
    });
  });

  it('sends the token command instead of the token when a command is chosen', () => {
    const r = toRequest(form({ kind: 'asana', secret: 'command', token: 'typed before', tokenCmd: ' pass show lull/asana ', workspaces: 'Acme, 12,' }));
    expect(r).toMatchObject({ token: '', tokenCmd: 'pass show lull/asana', workspaces: ['Acme', '12'], onDone: 'none', baseUrl: '' });
  });

  it('sends Slack tokens, channels and mark-read-on-done', () => {
    const r = toRequest(form({ kind: 'slack', token: 'xoxp-1', appSecret: 'command', appToken: 'xapp-typed', appTokenCmd: 'pass x',
      watched: '#incidents,\nC0123', onDone: 'read', baseUrl: 'left over' }));
    expect(r).toMatchObject({ token: 'xoxp-1', appToken: '', appTokenCmd: 'pass x', watched: ['#incidents', 'C0123'], onDone: 'read', baseUrl: '' });
  });

  it('leaves Slack tokens out of other kinds', () => {
    const r = toRequest(form({ kind: 'github', token: 'ghp', appToken: 'xapp-1', watched: '#x', workspaces: 'Acme' }));
    expect(r).toMatchObject({ appToken: '', watched: [], workspaces: [] });
  });

  it('splits lists on commas and new lines', () => {
    expect(splitList('INBOX,\n Sent ,, Lists/Go')).toEqual(['INBOX', 'Sent', 'Lists/Go']);
  });
});

describe('results', () => {
  const fail = (over: Partial<TestResult>): TestResult => ({ ok: false, message: '', folders: 0, name: 'x', ...over });

  it('names the step in the line', () => {
    expect(resultLine({ ok: true, message: 'Connected · INBOX opened', folders: 1, name: 'x' })).toBe('Connected · INBOX opened');
    expect(resultLine(fail({ step: 'dns', message: 'Cannot find imap.example.org. Check the server name.' }))).toBe(
      'DNS — cannot find imap.example.org. Check the server name.',
    );
    expect(resultLine(fail({ step: 'auth', message: 'The server refused the user name or password.' }))).toMatch(/^Sign-in — the server refused/);
    expect(resultLine(fail({ step: 'connect', message: 'Nothing accepts connections.' }))).toMatch(/^Connection — /);
    expect(resultLine(fail({ step: 'tls', message: 'IMAP over TLS failed.' }))).toBe('TLS — IMAP over TLS failed.');
    expect(resultLine(fail({ step: 'folder', message: 'x' }))).toMatch(/^Folder — /);
    expect(resultLine(fail({ step: 'form', message: 'Type the password.' }))).toBe('Type the password.');
    expect(resultLine(fail({ step: 'token', message: 'Create a classic token with the notifications and repo scopes (docs/github.md).' }))).toBe(
      'Token refused — create a classic token with the notifications and repo scopes (docs/github.md).',
    );
    expect(resultLine(fail({ step: 'rate', message: 'Wait until 14:05:00: GitHub takes no more requests before then.' }))).toBe(
      'Rate limit — wait until 14:05:00: GitHub takes no more requests before then.',
    );
    expect(resultLine(fail({ step: 'api', message: 'GitHub answered 502.' }))).toBe('Server — GitHub answered 502.');
    expect(resultLine(fail({ step: 'command', message: 'The token command failed.' }))).toBe('Token command — the token command failed.');
  });

  it.each<[Partial<TestResult>, FormState['secret'], Field | null]>([
    [{ step: 'auth', field: 'password' }, 'typed', 'password'],
    [{ step: 'auth', field: 'password' }, 'command', 'passwordCmd'],
    [{ step: 'auth' }, 'command', 'passwordCmd'],
    [{ step: 'keychain', field: 'password' }, 'typed', 'password'],
    [{ step: 'connect', field: 'port' }, 'typed', 'port'],
    [{ step: 'dns' }, 'typed', 'host'],
    [{ step: 'folder' }, 'typed', 'folders'],
    [{ step: 'form', field: 'onDone' }, 'typed', 'onDone'],
    [{ ok: true }, 'typed', null],
  ])('IMAP: %o with %s points at %s', (r, secret, want) => {
    expect(fieldFor(fail(r), { kind: 'imap', secret, appSecret: 'typed' })).toBe(want);
  });

  it.each<[FormState['kind'], Partial<TestResult>, FormState['secret'], FormState['appSecret'], Field | null]>([
    ['github', { step: 'token', field: 'token' }, 'typed', 'typed', 'token'],
    ['github', { step: 'token', field: 'token' }, 'command', 'typed', 'tokenCmd'],
    ['github', { step: 'command' }, 'command', 'typed', 'tokenCmd'],
    ['github', { step: 'keychain', field: 'token' }, 'typed', 'typed', 'token'],
    ['github', { step: 'connect', field: 'baseUrl' }, 'typed', 'typed', 'baseUrl'],
    ['github', { step: 'dns' }, 'typed', 'typed', 'baseUrl'],
    ['github', { step: 'rate' }, 'typed', 'typed', null],
    ['asana', { step: 'dns' }, 'typed', 'typed', null],
    ['asana', { step: 'workspace' }, 'typed', 'typed', 'workspaces'],
    ['slack', { step: 'command', field: 'appTokenCmd' }, 'typed', 'command', 'appTokenCmd'],
    ['slack', { step: 'keychain', field: 'appToken' }, 'command', 'typed', 'appToken'],
    ['slack', { step: 'form', field: 'watched' }, 'typed', 'typed', 'watched'],
  ])('%s: %o with %s / %s points at %s', (kind, r, secret, appSecret, want) => {
    expect(fieldFor(fail(r), { kind, secret, appSecret })).toBe(want);
  });
});
