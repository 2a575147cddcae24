// Pure logic of the "Add an account" form: its fields as typed, filling the
// server from an e-mail address without overwriting what the user typed,
// each kind's defaults (sync depth, what done does), checks before anything
// is sent, and the wording of a test result.

import type { AccountForm, AccountKind, OnDone, Preset, TestResult, TestStep, TLSMode } from './api';

/** Where a secret comes from: typed (kept in the OS keychain on save) or a command that prints it. */
export type SecretSource = 'typed' | 'command';

/** FormState is the form as typed: text fields are strings until sent. */
export interface FormState {
  kind: AccountKind;
  /** The e-mail address or user name the account signs in with. */
  username: string;
  /** Where the IMAP password, or the token of GitHub, Asana or Slack, comes from. */
  secret: SecretSource;
  password: string;
  passwordCmd: string;
  host: string;
  port: string;
  tls: TLSMode;
  /** Comma-separated. */
  folders: string;
  syncDays: string;
  onDone: OnDone;
  path: string;
  name: string;
  /** GitHub, Asana; Slack's user token (xoxp-). */
  token: string;
  tokenCmd: string;
  /** Where Slack's optional app-level token (xapp-) comes from. */
  appSecret: SecretSource;
  appToken: string;
  appTokenCmd: string;
  /** GitHub Enterprise Server's API address; empty for github.com. */
  baseUrl: string;
  /** Asana, comma-separated; empty for every workspace. */
  workspaces: string;
  /** Slack, comma-separated channels. */
  watched: string;
}

export type Field = keyof FormState;

/** A problem found before sending, or named by the backend. */
export interface Problem {
  field: Field;
  message: string;
}

export const DEFAULT_SYNC_DAYS = 90;

/** What the form knows of each kind of account. */
export interface KindInfo {
  /** The kind selector's option; first letters differ, so a key press picks one. */
  label: string;
  /** The service's name in the form's words. */
  service: string;
  /** Sync depth the form starts with (the connector's own default for the token kinds). */
  syncDays: number;
  /** What "Sync depth" allows, after "days back · ". */
  syncHelp: string;
  /** What done can do at the source, the default first; empty: nothing is written back. */
  onDone: { value: OnDone; label: string }[];
  /** The kind signs in with an API token (token / tokenCmd). */
  token: boolean;
  /** Help under the token when typed. */
  tokenHelp?: string;
  /** An example token command. */
  tokenCmdExample?: string;
}

export const KINDS: Record<AccountKind, KindInfo> = {
  imap: {
    label: 'IMAP mailbox',
    service: 'IMAP',
    syncDays: DEFAULT_SYNC_DAYS,
    syncHelp: '0 for everything',
    onDone: [
      { value: 'none', label: 'Leave it on the server' },
      { value: 'seen', label: 'Mark it read' },
      { value: 'archive', label: 'Archive it' },
    ],
    token: false,
  },
  maildir: {
    label: 'Maildir on this computer',
    service: 'Maildir',
    syncDays: DEFAULT_SYNC_DAYS,
    syncHelp: '0 for everything',
    onDone: [
      { value: 'none', label: 'Leave it as it is' },
      { value: 'seen', label: 'Mark it read' },
    ],
    token: false,
  },
  github: {
    label: 'GitHub notifications',
    service: 'GitHub',
    syncDays: 30,
    syncHelp: '0 for all GitHub keeps',
    onDone: [
      { value: 'done', label: 'Mark it done on GitHub' },
      { value: 'read', label: 'Mark it read on GitHub' },
      { value: 'none', label: 'Leave it on GitHub' },
    ],
    token: true,
    tokenHelp: 'A classic personal access token with the notifications and repo scopes (docs/github.md).',
    tokenCmdExample: 'pass show lull/github',
  },
  asana: {
    label: 'Asana task comments',
    service: 'Asana',
    syncDays: 14,
    syncHelp: '1 to 365',
    onDone: [],
    token: true,
    tokenHelp: 'A personal access token: Asana → Settings → Apps → Developer apps (docs/asana.md).',
    tokenCmdExample: 'pass show lull/asana',
  },
  slack: {
    label: 'Slack messages',
    service: 'Slack',
    syncDays: 14,
    syncHelp: '0 for everything',
    onDone: [
      { value: 'none', label: 'Leave it unread in Slack' },
      { value: 'read', label: 'Mark the conversation read in Slack' },
    ],
    token: true,
    tokenHelp: "The user token (xoxp-) of Lull's Slack app (docs/slack/README.md).",
    tokenCmdExample: 'pass show lull/slack',
  },
};

/** isTokenKind reports whether the kind signs in with an API token. */
export function isTokenKind(kind: AccountKind): boolean {
  return KINDS[kind].token;
}

export function emptyForm(): FormState {
  return {
    kind: 'imap',
    username: '',
    secret: 'typed',
    password: '',
    passwordCmd: '',
    host: '',
    port: '',
    tls: 'implicit',
    folders: 'INBOX',
    syncDays: String(DEFAULT_SYNC_DAYS),
    onDone: 'none',
    path: '',
    name: '',
    token: '',
    tokenCmd: '',
    appSecret: 'typed',
    appToken: '',
    appTokenCmd: '',
    baseUrl: '',
    workspaces: '',
    watched: '',
  };
}

/** defaultPort is the port a security mode uses when the field is empty. */
export function defaultPort(tls: TLSMode): number {
  return tls === 'implicit' ? 993 : 143;
}

/** emailDomain is the lower-cased part after the last "@", or "". */
export function emailDomain(username: string): string {
  const at = username.lastIndexOf('@');
  return at < 0 ? '' : username.slice(at + 1).trim().toLowerCase();
}

/** suggestName makes an account name as the backend would: the kind of a token account, the mail domain's first label, the user name, or the maildir's folder. */
export function suggestName(form: Pick<FormState, 'kind' | 'username' | 'path'>): string {
  let base: string;
  if (isTokenKind(form.kind)) {
    base = form.kind;
  } else if (form.kind === 'maildir') {
    base = form.path.trim().replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? '';
  } else if (form.username.includes('@')) {
    base = emailDomain(form.username).split('.')[0];
  } else {
    base = form.username;
  }
  base = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return base || 'mail';
}

/**
 * fill returns the fields to change after the user typed into `changed`:
 * an e-mail address fills the server from a provider preset (or guesses
 * imap.DOMAIN) and the account name; a maildir path fills the name; a new
 * kind brings its sync depth, what done does and its name. Fields in
 * `touched` (typed by the user) are never overwritten, except a "when
 * done" the new kind cannot do. `note` is the provider's sign-in advice.
 */
export function fill(
  form: FormState,
  changed: Field,
  touched: ReadonlySet<Field>,
  presets: Record<string, Preset>,
): { changes: Partial<FormState>; note?: string } {
  const changes: Partial<FormState> = {};
  const set = <K extends Field>(k: K, v: FormState[K]) => {
    if (!touched.has(k) && form[k] !== v) changes[k] = v;
  };
  let note: string | undefined;
  if (changed === 'username' && form.kind === 'imap') {
    const domain = emailDomain(form.username);
    const preset = presets[domain];
    if (preset) {
      set('host', preset.host);
      set('port', String(preset.port));
      set('tls', preset.tls);
      note = preset.note;
    } else if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
      set('host', `imap.${domain}`);
      set('port', '');
      set('tls', 'implicit');
    }
  }
  if (changed === 'tls') set('port', '');
  if (changed === 'kind') {
    const info = KINDS[form.kind];
    set('syncDays', String(info.syncDays));
    const def = info.onDone[0]?.value ?? 'none';
    if (!info.onDone.some((o) => o.value === form.onDone)) {
      if (form.onDone !== def) changes.onDone = def;
    } else {
      set('onDone', def);
    }
  }
  if (changed === 'username' || changed === 'path' || changed === 'kind') {
    set('name', isTokenKind(form.kind) || form.username || form.path ? suggestName(form) : '');
  }
  return { changes, note };
}

/** noteFor is the provider advice for the address typed, if any. */
export function noteFor(username: string, presets: Record<string, Preset>): string | undefined {
  return presets[emailDomain(username)]?.note;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

const BASE_URL = /^https?:\/\/[^\s/]+/i;

/** check finds the first problem the user can fix before anything is sent, in the form's order. */
export function check(form: FormState): Problem | null {
  const info = KINDS[form.kind];
  if (info.token) {
    const what = form.kind === 'slack' ? 'user token (xoxp-)' : 'token';
    if (form.secret === 'typed' && !form.token.trim()) {
      return { field: 'token', message: `Paste the ${info.service} ${what}, or choose “Command” and give one that prints it.` };
    }
    if (form.secret === 'command' && !form.tokenCmd.trim()) {
      return { field: 'tokenCmd', message: `Type a command that prints the ${what}, e.g. ${info.tokenCmdExample}.` };
    }
  }
  if (form.kind === 'github' && form.baseUrl.trim() && !BASE_URL.test(form.baseUrl.trim())) {
    return { field: 'baseUrl', message: 'Type the API address, e.g. https://ghe.example.com/api/v3/, or leave it empty for github.com.' };
  }
  if (form.kind === 'slack') {
    const app = form.appToken.trim();
    if (form.appSecret === 'typed' && app && !app.startsWith('xapp-')) {
      return { field: 'appToken', message: 'An app-level token starts with xapp-; leave it empty to poll without Socket Mode.' };
    }
    if (splitList(form.watched).some((c) => /\s/.test(c))) {
      return { field: 'watched', message: 'Separate channels with commas; a channel name has no spaces.' };
    }
  }
  if (form.kind === 'imap') {
    if (!form.username.trim()) return { field: 'username', message: 'Type the e-mail address or user name you sign in with.' };
    if (form.secret === 'typed' && !form.password) return { field: 'password', message: 'Type the password.' };
    if (form.secret === 'command' && !form.passwordCmd.trim()) {
      return { field: 'passwordCmd', message: 'Type a command that prints the password, e.g. pass show mail/work.' };
    }
    if (!form.host.trim()) return { field: 'host', message: 'Type the IMAP server, e.g. imap.example.com.' };
    const port = form.port.trim();
    if (port && !(/^\d+$/.test(port) && +port >= 1 && +port <= 65535)) {
      return { field: 'port', message: `Port "${port}" is not a number from 1 to 65535.` };
    }
  } else if (form.kind === 'maildir' && !form.path.trim()) {
    return { field: 'path', message: 'Type the maildir folder, e.g. ~/Mail/work.' };
  }
  const days = form.syncDays.trim();
  if (days && !/^\d+$/.test(days)) return { field: 'syncDays', message: `Sync depth is a number of days (${info.syncHelp}).` };
  if (days && form.kind === 'asana' && (+days < 1 || +days > 365)) {
    return { field: 'syncDays', message: 'Asana syncs 1 to 365 days back.' };
  }
  const name = form.name.trim();
  if (name && !NAME.test(name)) {
    return { field: 'name', message: "Use letters, digits, '-' or '_' for the account name (no spaces or dots)." };
  }
  return null;
}

/** splitList reads "INBOX, Lists/Go" into ["INBOX", "Lists/Go"]: folders, workspaces, channels. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((f) => f.trim()).filter(Boolean))];
}

/** toRequest turns the typed form into what Accounts.Test and Accounts.Add take; fields of other kinds go empty. */
export function toRequest(form: FormState): AccountForm {
  const imap = form.kind === 'imap';
  const mail = imap || form.kind === 'maildir';
  const token = isTokenKind(form.kind);
  const slack = form.kind === 'slack';
  const days = form.syncDays.trim();
  const req: AccountForm = {
    name: form.name.trim(),
    kind: form.kind,
    host: imap ? form.host.trim() : '',
    port: imap && form.port.trim() ? Number(form.port.trim()) : 0,
    tls: form.tls,
    username: imap ? form.username.trim() : '',
    password: imap && form.secret === 'typed' ? form.password : '',
    passwordCmd: imap && form.secret === 'command' ? form.passwordCmd.trim() : '',
    folders: mail ? splitList(form.folders) : [],
    onDone: KINDS[form.kind].onDone.length ? form.onDone : 'none',
    path: form.kind === 'maildir' ? form.path.trim() : '',
    token: token && form.secret === 'typed' ? form.token.trim() : '',
    tokenCmd: token && form.secret === 'command' ? form.tokenCmd.trim() : '',
    appToken: slack && form.appSecret === 'typed' ? form.appToken.trim() : '',
    appTokenCmd: slack && form.appSecret === 'command' ? form.appTokenCmd.trim() : '',
    baseUrl: form.kind === 'github' ? form.baseUrl.trim() : '',
    workspaces: form.kind === 'asana' ? splitList(form.workspaces) : [],
    watched: slack ? splitList(form.watched) : [],
  };
  if (days) req.syncDays = Number(days);
  return req;
}

/** STEP_LABELS name each step of a failed test for the result line. */
export const STEP_LABELS: Record<TestStep, string> = {
  dns: 'DNS',
  connect: 'Connection',
  tls: 'TLS',
  auth: 'Sign-in',
  folder: 'Folder',
  form: 'Form',
  password: 'Password command',
  maildir: 'Maildir',
  keychain: 'Keychain',
  token: 'Token refused',
  command: 'Token command',
  rate: 'Rate limit',
  api: 'Server',
  workspace: 'Workspace',
};

/** resultLine is the one line a test result shows: "Connected · INBOX opened", "Sign-in — the server refused …". */
export function resultLine(r: TestResult): string {
  if (r.ok || r.step === 'form') return r.message;
  const label = r.step ? STEP_LABELS[r.step] : 'Error';
  return `${label} — ${lowerFirst(r.message)}`;
}

/** lowerFirst lower-cases a sentence's first letter, but not an acronym's ("IMAP") or a name's ("GitHub"). */
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]*(?![A-Za-z])/.test(s) && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

const BY_STEP: Partial<Record<TestStep, Field>> = {
  dns: 'host',
  connect: 'host',
  tls: 'tls',
  folder: 'folders',
  maildir: 'path',
};

/** fieldFor is the field a failed result points at, as the form shows it (typed or command, as chosen). */
export function fieldFor(r: TestResult, form: Pick<FormState, 'kind' | 'secret' | 'appSecret'>): Field | null {
  if (r.ok) return null;
  const token = isTokenKind(form.kind);
  const command = form.secret === 'command';
  const secretField: Field = token ? (command ? 'tokenCmd' : 'token') : command ? 'passwordCmd' : 'password';
  const named = r.field as Field | undefined;
  if (named === 'password' || named === 'passwordCmd' || named === 'token' || named === 'tokenCmd') return secretField;
  if (named === 'appToken' || named === 'appTokenCmd') return form.appSecret === 'command' ? 'appTokenCmd' : 'appToken';
  if (named && named in emptyForm()) return named;
  if (r.step === 'auth' || r.step === 'keychain' || r.step === 'password' || r.step === 'token' || r.step === 'command') return secretField;
  if (token) {
    if (r.step === 'workspace') return 'workspaces';
    // Only GitHub (Enterprise) has an address on the form.
    return form.kind === 'github' && (r.step === 'dns' || r.step === 'connect' || r.step === 'tls' || r.step === 'api') ? 'baseUrl' : null;
  }
  return (r.step && BY_STEP[r.step]) ?? null;
}
