// The later and snooze picker's choices. The times themselves come from the
// backend (Triage.Times), which owns the presets' meaning (app/snooze.go):
// this module only says which choices there are, their keys and the command
// each one runs.

export type PickKind = 'later' | 'snooze';

export interface PickRow {
  /** The time spec sent to the backend; "date" is the typed date field. */
  spec: string;
  label: string;
  /** The key that picks it (keymap.ts binds them in section "picker"). */
  key: string;
}

const NORM: PickRow = { spec: 'norm', label: 'Usual reply time', key: 'l' };
const COMMON: PickRow[] = [
  { spec: 'next-batch', label: 'Next batch', key: '1' },
  { spec: 'this-afternoon', label: 'This afternoon', key: '2' },
  { spec: 'tomorrow-morning', label: 'Tomorrow morning', key: '3' },
  { spec: 'in-3-days', label: 'In 3 days', key: '4' },
  { spec: 'date', label: 'Pick a date…', key: '5' },
];

/** pickerRows lists a picker's choices in order; Later starts with the norm, its default. */
export function pickerRows(kind: PickKind): PickRow[] {
  return kind === 'later' ? [NORM, ...COMMON] : [...COMMON];
}

/** rowIndex finds the row a "pick <arg>" command names ("norm", "1".."5"), or -1. */
export function rowIndex(kind: PickKind, arg: string | undefined): number {
  return pickerRows(kind).findIndex((r) => (arg === 'norm' ? r.spec === 'norm' : r.key === arg && r.spec !== 'norm'));
}

/**
 * rowName is what a choice is called right now: the backend's name when the
 * usual one would mislead ("Later today" for "This afternoon" at 18:00).
 */
export function rowName(row: PickRow, choice?: { name?: string }): string {
  return choice?.name || row.label;
}

/** cleanDate tidies what was typed into the date field: trimmed, single spaces. */
export function cleanDate(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/**
 * commandFor is the triage command a choice runs: "later" for the norm,
 * "snooze tomorrow-morning", or the typed date ("later fri 15:00"). Null
 * when the date field is empty.
 */
export function commandFor(kind: PickKind, spec: string, date = ''): string | null {
  if (spec === 'norm') return kind === 'later' ? 'later' : null;
  if (spec === 'date') {
    const d = cleanDate(date);
    return d ? `${kind} ${d}` : null;
  }
  return `${kind} ${spec}`;
}

/** What the window's commands do to an open picker (LaterPicker.svelte). */
export interface PickerControls {
  next: () => void;
  prev: () => void;
  enter: () => void;
  pick: (arg: string | undefined) => void;
}
