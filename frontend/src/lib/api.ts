// The one typed door to the Go backend.
//
// Wails injects the bound services at run time as
// window.go.app.<Service>.<Method>(...) and the event bus as window.runtime.
// The service, method, event and field names below MIRROR the Go services in
// app/ (and the JSON tags in app/inbox): they must change together. Nothing
// else in the frontend touches window.go or window.runtime.
//
// Every method returns a Promise that rejects with an error string.

import type { KeySample } from './keyprobe';

export type State = 'inbox' | 'later' | 'snoozed' | 'done';
export type Source = 'email' | 'slack' | 'github' | 'asana';

export const STATES: readonly State[] = ['inbox', 'later', 'snoozed', 'done'];

/** Query selects one window of a list; the UI never asks for the whole inbox. */
export interface Query {
  state: State;
  source?: Source;
  /** One row per thread (the Inbox view): the newest item stands for the rest. */
  threads?: boolean;
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
  /** RFC 3339 wake-up time of a snoozed item. */
  snoozeUntil?: string;
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

/** TimeChoice mirrors app.TimeChoice: one resolved time of the later/snooze picker. */
export interface TimeChoice {
  spec: string;
  /** RFC 3339; absent on error. */
  at?: string;
  /** "tomorrow 09:00", in the focus time zone. */
  label?: string;
  /** Replaces the preset's usual name when that would mislead now ("Later today" after 14:00). */
  name?: string;
  error?: string;
}

/** KeyOverrides mirrors app.KeyBindings: section → command → keys. */
export type KeyOverrides = Record<string, Record<string, string[]>>;

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

export type AccountKind = 'imap' | 'maildir' | 'github' | 'asana' | 'slack';
export type TLSMode = 'implicit' | 'starttls' | 'none';
/** What done does at the source: IMAP none | seen | archive; Maildir none | seen; GitHub done | read | none; Slack read | none. */
export type OnDone = 'none' | 'seen' | 'archive' | 'done' | 'read';

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
  /** Absent: 90 days (the connector's own default for GitHub, Asana, Slack); 0: everything. */
  syncDays?: number;
  onDone: OnDone;
  /** Maildir only. */
  path: string;
  /** GitHub, Asana, Slack (user token, xoxp-): kept in the OS keychain on save; ignored when tokenCmd is set. */
  token: string;
  tokenCmd: string;
  /** Slack only, optional: the app-level token (xapp-) for Socket Mode. */
  appToken: string;
  appTokenCmd: string;
  /** GitHub Enterprise Server's API address; empty for github.com. */
  baseUrl: string;
  /** Asana: workspace names or gids; empty for all. */
  workspaces: string[];
  /** Slack: channels to take every message from. */
  watched: string[];
}

/** The steps a connection test can fail at (app.TestResult.Step). */
export type TestStep =
  | 'dns' | 'connect' | 'tls' | 'auth' | 'folder' | 'form' | 'password' | 'maildir' | 'keychain'
  | 'token' | 'command' | 'rate' | 'api' | 'workspace';

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
  /** The production window's key benchmark asks for key times (see keyprobe.ts). */
  'probe:keys': null;
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
    RunThreads(command: string, ids: string[]): Promise<TriageResult>;
    Times(verb: 'later' | 'snooze', specs: string[], id: string): Promise<TimeChoice[]>;
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
    Keys(): Promise<KeyOverrides>;
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
  EventsEmit?(name: string, ...data: unknown[]): void;
  ClipboardSetText?(text: string): Promise<boolean>;
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
  /** runThreads is run on thread rows: every item of each thread in the same state. */
  runThreads: (command: string, ids: string[]) => call(() => service('Triage').RunThreads(command, ids)),
  /** times resolves later/snooze time specs now, for the picker ("norm" uses item id's norm). */
  times: (verb: 'later' | 'snooze', specs: string[], id: string) => call(() => service('Triage').Times(verb, specs, id)),
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
  /** keys are config.toml's [keys.<section>] tables, applied over keymap.ts. */
  keys: () => call(() => service('Settings').Keys()),
};

export const accounts = {
  /** test connects, signs in and opens the folders without saving; a failure is a result naming its step, not a rejection. */
  test: (form: AccountForm) => call(() => service('Accounts').Test(form)),
  /** add tests, then saves the account (password to the OS keychain) and starts syncing it. */
  add: (form: AccountForm) => call(() => service('Accounts').Add(form)),
  /** presets are common providers' IMAP servers, keyed by e-mail domain. */
  presets: () => call(() => service('Accounts').Presets()),
};

/**
 * painted tells the backend, once the frame now being made is on screen,
 * that the window shows its first list: the production binary's start-up
 * benchmark (scripts/startup.sh) times launch to this moment.
 */
export function painted(): void {
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      // Wall-clock times (Unix ms) of the page's start, for the split; the
      // backend takes the painted moment itself when the event arrives.
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const at = (t: number | undefined) => (t === undefined ? 0 : performance.timeOrigin + t);
      globalThis.window?.runtime?.EventsEmit?.('window:painted', {
        navigationStart: performance.timeOrigin,
        domContentLoaded: at(nav?.domContentLoadedEventEnd),
      });
    };
    ch.port2.postMessage(0);
  });
}

/**
 * copyText puts text on the system clipboard: through the desktop runtime
 * in the window, through the page's clipboard in a browser.
 */
export async function copyText(text: string): Promise<void> {
  const rt = globalThis.window?.runtime;
  if (rt?.ClipboardSetText) {
    if (!(await rt.ClipboardSetText(text))) throw new Error('The clipboard refused the text.');
    return;
  }
  await navigator.clipboard.writeText(text);
}

/** reportKey sends one key's time to the backend, which prints it for the key benchmark. */
export function reportKey(sample: KeySample): void {
  globalThis.window?.runtime?.EventsEmit?.('window:key', sample);
}

/** on subscribes to a backend event and returns the unsubscribe function. */
export function on<E extends keyof Events>(name: E, cb: (payload: Events[E]) => void): () => void {
  const rt = globalThis.window?.runtime;
  if (!rt) return () => {};
  const off = rt.EventsOn(name, (data: unknown) => cb(data as Events[E]));
  return typeof off === 'function' ? off : () => rt.EventsOff?.(name);
}

// ---- Reader (app/reader_service.go): threads and remote images for the reading pane. ----
// Declaration merging adds to Item and Bound above without touching them.

export interface Item {
  /** Remote images (tracking pixels among them) blocked in html; the reader offers to load them. */
  remoteImages?: number;
}

interface Bound {
  Reader: {
    Thread(id: string): Promise<Item[]>;
    ImagesAllowed(sender: string): Promise<boolean>;
    ImageSenders(): Promise<string[]>;
    AllowImages(sender: string): Promise<void>;
    DisallowImages(sender: string): Promise<void>;
  };
}

export const reader = {
  /** thread returns the messages of id's thread with bodies, oldest first (the newest 50 at most). */
  thread: (id: string) => call(() => service('Reader').Thread(id)),
  /** imagesAllowed reports whether remote images from this email address load by default. */
  imagesAllowed: (sender: string) => call(() => service('Reader').ImagesAllowed(sender)),
  /** imageSenders lists the addresses whose remote images always load, sorted. */
  imageSenders: () => call(() => service('Reader').ImageSenders()),
  /** allowImages makes remote images from sender load by default, in this workspace. */
  allowImages: (sender: string) => call(() => service('Reader').AllowImages(sender)),
  /** disallowImages blocks sender's remote images again. */
  disallowImages: (sender: string) => call(() => service('Reader').DisallowImages(sender)),
};

// ---- Search (app/search_service.go): the / view. ----
// Declaration merging adds to Bound above without touching it.

/**
 * SearchResults mirrors search.Results: one page of matches, newest first.
 * The query syntax: words, "phrases", -word, from:, to:, subject:,
 * source:email|slack|github|asana, in:inbox|later|snoozed|done|all,
 * is:done|unread|read, before:/after: YYYY-MM-DD|today|yesterday.
 * Done items are left out unless the query asks for them.
 */
export interface SearchResults {
  items: Summary[];
  /** The place of items[0] among all the matches. */
  offset: number;
  /** How many items match in all (items holds at most the limit). */
  total: number;
  /** How long the search took in the backend, in milliseconds. */
  tookMs: number;
  /** The index is still catching up with the store; results may be missing. */
  indexing?: boolean;
  /** How many stored items the index has yet to take in (a few, a moment after a write). */
  backlog?: number;
}

interface Bound {
  Search: {
    Run(query: string, limit: number): Promise<SearchResults>;
    Page(query: string, offset: number, limit: number): Promise<SearchResults>;
  };
}

export const search = {
  /** run searches; limit <= 0 means 50 (500 at most). Rejects with a one-line message for a bad query, e.g. a bad date. */
  run: (query: string, limit = 50) => call(() => service('Search').Run(query, limit)),
  /** page is run from the offset-th match on: a part of a long result further down the list. */
  page: (query: string, offset: number, limit: number) => call(() => service('Search').Page(query, offset, limit)),
};
