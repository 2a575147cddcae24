// The list views: one per triage state, in tab order, with what each says
// when it is empty.

import type { State } from './api';

export interface View {
  state: State;
  label: string;
  /** The command that opens it (bound in keymap.ts). */
  command: string;
  empty: { title: string; hint: string };
}

export const VIEWS: View[] = [
  {
    state: 'inbox',
    label: 'Inbox',
    command: 'view inbox',
    empty: { title: 'Inbox zero. Nothing needs you.', hint: 'New mail, messages and mentions will land here.' },
  },
  {
    state: 'later',
    label: 'Later',
    command: 'view later',
    empty: { title: 'Nothing saved for later.', hint: 'Items you want to answer later wait here with a respond-by time.' },
  },
  {
    state: 'snoozed',
    label: 'Snoozed',
    command: 'view snoozed',
    empty: { title: 'Nothing snoozed.', hint: 'Snoozed items come back to the inbox when their time comes.' },
  },
  {
    state: 'done',
    label: 'Done',
    command: 'view done',
    empty: { title: 'Nothing done yet.', hint: 'Press e on an item to mark it done. It will be kept here.' },
  },
];

export function viewFor(state: State): View {
  return VIEWS.find((v) => v.state === state) ?? VIEWS[0];
}

export function isState(s: string): s is State {
  return VIEWS.some((v) => v.state === s);
}
