import { describe, expect, it } from 'vitest';
import type { Preset, TestResult } from './api';
import {
  check,
  emptyForm,
  fieldFor,
  fill,
  resultLine,
  splitFolders,
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
});

describe('toRequest', () => {
  it('sends IMAP settings with the password, numbers as numbers', () => {
    const f = form({ username: ' ada@example.com ', password: ' pw ', host: 'imap.example.com ', port: '993', folders: 'INBOX, Lists/Go,,INBOX', syncDays: '30', onDone: 'archive', name: 'home' });
    expect(toRequest(f)).toEqual({
      name: 'home', kind: 'imap', host: 'imap.example.com', port: 993, tls: 'implicit', username: 'ada@example.com',
      password: ' pw ', passwordCmd: '', folders: ['INBOX', 'Lists/Go'], syncDays: 30, onDone: 'archive', path: '',
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

  it('splits folders on commas and new lines', () => {
    expect(splitFolders('INBOX,\n Sent ,, Lists/Go')).toEqual(['INBOX', 'Sent', 'Lists/Go']);
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
  });

  it.each<[Partial<TestResult>, FormState['secret'], Field | null]>([
    [{ step: 'auth', field: 'password' }, 'password', 'password'],
    [{ step: 'auth', field: 'password' }, 'command', 'passwordCmd'],
    [{ step: 'auth' }, 'command', 'passwordCmd'],
    [{ step: 'keychain', field: 'password' }, 'password', 'password'],
    [{ step: 'connect', field: 'port' }, 'password', 'port'],
    [{ step: 'dns' }, 'password', 'host'],
    [{ step: 'folder' }, 'password', 'folders'],
    [{ step: 'form', field: 'onDone' }, 'password', 'onDone'],
    [{ ok: true }, 'password', null],
  ])('%o with %s points at %s', (r, secret, want) => {
    expect(fieldFor(fail(r), { secret })).toBe(want);
  });
});
