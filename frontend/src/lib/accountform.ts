// Pure logic of the "Add an account" form: its fields as typed, filling the
// server from an e-mail address without overwriting what the user typed,
// checks before anything is sent, and the wording of a test result.

import type { AccountForm, AccountKind, OnDone, Preset, TestResult, TestStep, TLSMode } from './api';

/** FormState is the form as typed: text fields are strings until sent. */
export interface FormState {
  kind: AccountKind;
  /** The e-mail address or user name the account signs in with. */
  username: string;
  /** Where the password comes from: typed (kept in the OS keychain) or a command. */
  secret: 'password' | 'command';
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
}

export type Field = keyof FormState;

/** A problem found before sending, or named by the backend. */
export interface Problem {
  field: Field;
  message: string;
}

export const DEFAULT_SYNC_DAYS = 90;

export function emptyForm(): FormState {
  return {
    kind: 'imap',
    username: '',
    secret: 'password',
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

/** suggestName makes an account name as the backend would: the mail domain's first label, the user name, or the maildir's folder. */
export function suggestName(form: Pick<FormState, 'kind' | 'username' | 'path'>): string {
  let base: string;
  if (form.kind === 'maildir') {
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
 * imap.DOMAIN) and the account name; a maildir path fills the name. Fields
 * in `touched` (typed by the user) are never overwritten. `note` is the
 * provider's sign-in advice.
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
  if (changed === 'kind' && form.kind === 'maildir' && form.onDone === 'archive') set('onDone', 'none');
  if (changed === 'username' || changed === 'path' || changed === 'kind') {
    set('name', form.username || form.path ? suggestName(form) : '');
  }
  return { changes, note };
}

/** noteFor is the provider advice for the address typed, if any. */
export function noteFor(username: string, presets: Record<string, Preset>): string | undefined {
  return presets[emailDomain(username)]?.note;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** check finds the first problem the user can fix before anything is sent, in the form's order. */
export function check(form: FormState): Problem | null {
  if (form.kind === 'imap') {
    if (!form.username.trim()) return { field: 'username', message: 'Type the e-mail address or user name you sign in with.' };
    if (form.secret === 'password' && !form.password) return { field: 'password', message: 'Type the password.' };
    if (form.secret === 'command' && !form.passwordCmd.trim()) {
      return { field: 'passwordCmd', message: 'Type a command that prints the password, e.g. pass show mail/work.' };
    }
    if (!form.host.trim()) return { field: 'host', message: 'Type the IMAP server, e.g. imap.example.com.' };
    const port = form.port.trim();
    if (port && !(/^\d+$/.test(port) && +port >= 1 && +port <= 65535)) {
      return { field: 'port', message: `Port "${port}" is not a number from 1 to 65535.` };
    }
  } else if (!form.path.trim()) {
    return { field: 'path', message: 'Type the maildir folder, e.g. ~/Mail/work.' };
  }
  const days = form.syncDays.trim();
  if (days && !/^\d+$/.test(days)) return { field: 'syncDays', message: 'Sync depth is a number of days (0 for everything).' };
  const name = form.name.trim();
  if (name && !NAME.test(name)) {
    return { field: 'name', message: "Use letters, digits, '-' or '_' for the account name (no spaces or dots)." };
  }
  return null;
}

/** splitFolders reads "INBOX, Lists/Go" into ["INBOX", "Lists/Go"]. */
export function splitFolders(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((f) => f.trim()).filter(Boolean))];
}

/** toRequest turns the typed form into what Accounts.Test and Accounts.Add take. */
export function toRequest(form: FormState): AccountForm {
  const imap = form.kind === 'imap';
  const days = form.syncDays.trim();
  const req: AccountForm = {
    name: form.name.trim(),
    kind: form.kind,
    host: imap ? form.host.trim() : '',
    port: imap && form.port.trim() ? Number(form.port.trim()) : 0,
    tls: form.tls,
    username: imap ? form.username.trim() : '',
    password: imap && form.secret === 'password' ? form.password : '',
    passwordCmd: imap && form.secret === 'command' ? form.passwordCmd.trim() : '',
    folders: splitFolders(form.folders),
    onDone: form.onDone,
    path: imap ? '' : form.path.trim(),
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
};

/** resultLine is the one line a test result shows: "Connected · INBOX opened", "Sign-in — the server refused …". */
export function resultLine(r: TestResult): string {
  if (r.ok || r.step === 'form') return r.message;
  const label = r.step ? STEP_LABELS[r.step] : 'Error';
  return `${label} — ${lowerFirst(r.message)}`;
}

/** lowerFirst lower-cases a sentence's first letter, but not an acronym's ("IMAP"). */
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

const BY_STEP: Partial<Record<TestStep, Field>> = {
  dns: 'host',
  connect: 'host',
  tls: 'tls',
  folder: 'folders',
  maildir: 'path',
};

/** fieldFor is the field a failed result points at, as the form shows it. */
export function fieldFor(r: TestResult, form: Pick<FormState, 'secret'>): Field | null {
  if (r.ok) return null;
  const secretField: Field = form.secret === 'command' ? 'passwordCmd' : 'password';
  const named = r.field as Field | undefined;
  if (named === 'password' || named === 'passwordCmd') return secretField;
  if (named && named in emptyForm()) return named;
  if (r.step === 'auth' || r.step === 'keychain' || r.step === 'password') return secretField;
  return (r.step && BY_STEP[r.step]) ?? null;
}
