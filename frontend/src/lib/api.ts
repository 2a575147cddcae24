// The one typed door to the Go backend.
//
// Wails injects the bound services at run time as
// window.go.app.<Service>.<Method>(...) and the event bus as window.runtime.
// The service, method, event and field names below MIRROR the Go services in
// app/ (and the JSON tags in app/inbox): they must change together. Nothing
// else in the frontend touches window.go or window.runtime.
//
// Every method returns a Promise that rejects with an error string.

export type State = 'inbox' | 'later' | 'snoozed' | 'done';
export type Source = 'email' | 'slack' | 'github' | 'asana';

export const STATES: readonly State[] = ['inbox', 'later', 'snoozed', 'done'];

/** Query selects one window of a list; the UI never asks for the whole inbox. */
export interface Query {
  state: State;
  source?: Source;
  offset: number;
  limit: number;
}

/** Summary is one list row: no body, so a window stays small on the wire. */
export interface Summary {
  id: string;
  account: string;
  source: Source;
  from: string;
  title: string;
  snippet: string;
  /** RFC 3339 */
  received: string;
  threadCount: number;
  unread: boolean;
  state: State;
  /** RFC 3339; absent when the item has no respond-by time. */
  respondBy?: string;
}

export interface Page {
  items: Summary[];
  total: number;
  offset: number;
}

export interface Person {
  name?: string;
  addr?: string;
}

export interface Attachment {
  name: string;
  size: number;
}

export interface Triage {
  state: State;
  respondBy?: string;
  snoozeUntil?: string;
  changed?: string;
}

export interface Item {
  id: string;
  account: string;
  source: Source;
  thread?: string;
  title?: string;
  from: Person;
  to?: Person[];
  snippet?: string;
  /** Plain text. */
  body?: string;
  /** Sanitized HTML. Not rendered yet: a later change adds a sandboxed iframe. */
  html?: string;
  url?: string;
  received: string;
  signals?: string[];
  attachments?: Attachment[];
  unread?: boolean;
  triage: Triage;
}

export type Counts = Record<State, number>;

export interface TriageResult {
  changed: string[];
  undoDepth: number;
  message: string;
}

export type WorkspaceMode = 'empty' | 'accounts' | 'demo';
export type AccountState = 'starting' | 'syncing' | 'idle' | 'error' | 'stopped';

export interface AccountStatus {
  name: string;
  kind: string;
  state: AccountState;
  error?: string;
  progress: { done: number; total: number; phase?: string };
}

export interface WorkspaceStatus {
  mode: WorkspaceMode;
  dataDir: string;
  configPath: string;
  accounts: AccountStatus[];
}

/** FocusStatus mirrors app.FocusStatus: the focus engine's state and its one-line summary. */
export interface FocusStatus {
  focusing: boolean;
  /** RFC 3339 end of the current block. */
  until?: string;
  held: number;
  nextRelease?: string;
  source?: string;
  /** "Focusing · 38 min left · 12 held · next release 12:30" */
  line: string;
}

/** FocusRequest mirrors app.FocusRequest; none set means 50 minutes. */
export interface FocusRequest {
  duration?: string;
  until?: string;
  nextBatch?: boolean;
}

/** FocusSettings mirrors app.FocusSettings: the editable part of [focus]. */
export interface FocusSettings {
  policy: 'immediate' | 'batched';
  timeZone: string;
  batchTimes: Record<string, string[]>;
  weekly: { days: string[]; start: string; end: string }[];
  maxBreakthroughsPerHour: number;
  threadCooldown: string;
  ruleCount: number;
}

export interface SettingsView {
  autostart: boolean;
  configPath: string;
}

export type AccountKind = 'imap' | 'maildir';
export type TLSMode = 'implicit' | 'starttls' | 'none';
export type OnDone = 'none' | 'seen' | 'archive';

/** AccountForm mirrors app.AccountForm: what the "Add an account" form sends. Zero values mean the defaults. */
export interface AccountForm {
  name: string;
  kind: AccountKind;
  host: string;
  /** 0: 993 for TLS, 143 otherwise. */
  port: number;
  tls: TLSMode;
  username: string;
  /** Kept in the OS keychain on save; ignored when passwordCmd is set. */
  password: string;
  passwordCmd: string;
  /** Empty: INBOX (IMAP) or every maildir (Maildir). */
  folders: string[];
  /** Absent: 90 days; 0: everything. */
  syncDays?: number;
  onDone: OnDone;
  /** Maildir only. */
  path: string;
}

/** The steps a connection test can fail at (app.TestResult.Step). */
export type TestStep = 'dns' | 'connect' | 'tls' | 'auth' | 'folder' | 'form' | 'password' | 'maildir' | 'keychain';

/** TestResult mirrors app.TestResult: the outcome of Accounts.Test or Accounts.Add. */
export interface TestResult {
  ok: boolean;
  step?: TestStep;
  /** A sentence for the user: "Connected · INBOX opened", or what failed and what to do. */
  message: string;
  /** The server's own words, e.g. "[AUTHENTICATIONFAILED] Authentication failed." */
  detail?: string;
  /** The form field to fix (AccountForm key). */
  field?: keyof AccountForm;
  folders: number;
  /** The account name, filled in when the form left it empty. */
  name: string;
}

/** Preset mirrors app.Preset: a provider's IMAP server. */
export interface Preset {
  host: string;
  port: number;
  tls: TLSMode;
  note?: string;
}

/** Event names and payloads emitted by app/ (runtime.EventsEmit). */
export interface Events {
  'items:changed': { count: number };
  'account:status': AccountStatus[];
  'focus:state': FocusStatus;
  'focus:released': { at: string; items: { id: string }[] };
  /** The user clicked a digest notification; the payload is the release time. */
  'focus:open-batch': string;
}

// The shapes Wails injects. Only this module declares them.
interface Bound {
  Inbox: {
    List(q: Query): Promise<Page>;
    Get(id: string): Promise<Item>;
    Counts(): Promise<Counts>;
  };
  Triage: {
    Run(command: string, ids: string[]): Promise<TriageResult>;
    Undo(): Promise<TriageResult>;
  };
  Focus: {
    Status(): Promise<FocusStatus>;
    Start(req: FocusRequest): Promise<FocusStatus>;
    Stop(): Promise<FocusStatus>;
    ReleaseNow(): Promise<number>;
  };
  Settings: {
    Get(): Promise<SettingsView>;
    SetAutostart(on: boolean): Promise<SettingsView>;
    Focus(): Promise<FocusSettings>;
    SetFocus(s: FocusSettings): Promise<FocusSettings>;
  };
  Accounts: {
    Test(form: AccountForm): Promise<TestResult>;
    Add(form: AccountForm): Promise<TestResult>;
    Presets(): Promise<Record<string, Preset>>;
  };
  Workspace: {
    Status(): Promise<WorkspaceStatus>;
    OpenDemo(): Promise<WorkspaceStatus>;
    OpenURL(url: string): Promise<void>;
  };
}

interface Runtime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  EventsOff?(name: string, ...more: string[]): void;
}

declare global {
  interface Window {
    go?: { app?: Partial<Bound> };
    runtime?: Runtime;
  }
}

/** NOT_CONNECTED is the error when the page runs outside the Wails webview. */
export const NOT_CONNECTED = 'The Lull backend is not connected.';

function service<K extends keyof Bound>(name: K): Bound[K] {
  const s = globalThis.window?.go?.app?.[name];
  if (!s) throw new Error(NOT_CONNECTED);
  return s as Bound[K];
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new Error(errorMessage(e));
  }
}

/** errorMessage turns a rejection (Wails rejects with a plain string) into one line. */
export function errorMessage(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** backendAvailable reports whether Wails has injected the bound services. */
export function backendAvailable(): boolean {
  return !!globalThis.window?.go?.app?.Workspace;
}

export const inbox = {
  list: (q: Query) => call(() => service('Inbox').List(q)),
  get: (id: string) => call(() => service('Inbox').Get(id)),
  counts: () => call(() => service('Inbox').Counts()),
};

export const triage = {
  /** run applies a triage command ("done", "inbox", later "later tomorrow", "snooze 2h") to ids. */
  run: (command: string, ids: string[]) => call(() => service('Triage').Run(command, ids)),
  /** undo reverts the last triage; rejects with "nothing to undo" when the stack is empty. */
  undo: () => call(() => service('Triage').Undo()),
};

export const workspace = {
  status: () => call(() => service('Workspace').Status()),
  openDemo: () => call(() => service('Workspace').OpenDemo()),
  /** openURL opens http, https and mailto URLs in the system browser; the backend refuses others. */
  openURL: (url: string) => call(() => service('Workspace').OpenURL(url)),
};

export const focus = {
  status: () => call(() => service('Focus').Status()),
  start: (req: FocusRequest) => call(() => service('Focus').Start(req)),
  stop: () => call(() => service('Focus').Stop()),
  /** releaseNow sends the held items as one digest, even during focus; resolves to how many. */
  releaseNow: () => call(() => service('Focus').ReleaseNow()),
};

export const settings = {
  get: () => call(() => service('Settings').Get()),
  setAutostart: (on: boolean) => call(() => service('Settings').SetAutostart(on)),
  focus: () => call(() => service('Settings').Focus()),
  /** setFocus saves [focus] to config.toml and applies it; rejects naming the bad field. */
  setFocus: (s: FocusSettings) => call(() => service('Settings').SetFocus(s)),
};

export const accounts = {
  /** test connects, signs in and opens the folders without saving; a failure is a result naming its step, not a rejection. */
  test: (form: AccountForm) => call(() => service('Accounts').Test(form)),
  /** add tests, then saves the account (password to the OS keychain) and starts syncing it. */
  add: (form: AccountForm) => call(() => service('Accounts').Add(form)),
  /** presets are common providers' IMAP servers, keyed by e-mail domain. */
  presets: () => call(() => service('Accounts').Presets()),
};

/** on subscribes to a backend event and returns the unsubscribe function. */
export function on<E extends keyof Events>(name: E, cb: (payload: Events[E]) => void): () => void {
  const rt = globalThis.window?.runtime;
  if (!rt) return () => {};
  const off = rt.EventsOn(name, (data: unknown) => cb(data as Events[E]));
  return typeof off === 'function' ? off : () => rt.EventsOff?.(name);
}
