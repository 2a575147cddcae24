// Commands are strings ("done", "view later", "snooze 2h"), as in aerc: the
// keymap binds keys to them, and later a command palette or the tray can send
// the same strings. This module parses a command and calls its handler.

/** Triage verbs: the whole command string goes to Triage.Run on the backend. */
export const TRIAGE_VERBS: ReadonlySet<string> = new Set(['done', 'inbox', 'later', 'snooze']);

export interface Parsed {
  name: string;
  args: string[];
  raw: string;
}

/** parse splits "view inbox" into name "view" and args ["inbox"]. */
export function parse(command: string): Parsed {
  const raw = command.trim().replace(/\s+/g, ' ');
  const [name = '', ...args] = raw.split(' ');
  return { name, args, raw };
}

/** A command handler gets the command's arguments and the whole command. */
export type Handler = (args: string[], raw: string) => unknown;

export interface Handlers {
  /** Runs every triage verb with the whole command ("later tomorrow"). */
  triage: (command: string) => unknown;
  /** Every other command, by name. */
  commands: Record<string, Handler>;
}

/**
 * createDispatcher returns dispatch(command). Triage verbs go to
 * handlers.triage with the whole command; any other name goes to the handler
 * in handlers.commands with its arguments. Unknown commands report through
 * onUnknown and return false.
 */
export function createDispatcher(handlers: Handlers, onUnknown: (raw: string) => void = () => {}) {
  return function dispatch(command: string): boolean {
    const p = parse(command);
    if (!p.name) return false;
    if (TRIAGE_VERBS.has(p.name)) {
      void handlers.triage(p.raw);
      return true;
    }
    const h = Object.hasOwn(handlers.commands, p.name) ? handlers.commands[p.name] : undefined;
    if (typeof h !== 'function') {
      onUnknown(p.raw);
      return false;
    }
    void h(p.args, p.raw);
    return true;
  };
}
