/** What the React and Vue apps share: their starting state and how they list events. */
import type { NavtalkEventMap } from '../../src/index.js';
import type { Voice } from '../../src/protocol/index.js';

export const START = {
  character: 'navtalk.Leo',
  voice: 'echo' as Voice,
  text: 'Hi! A framework renders me. Pick another character or change my words, and I will make a new video.',
};

/** How many events an app lists, newest first. */
export const EVENTS_SHOWN = 6;

export interface EventLine {
  id: number;
  text: string;
}

let lines = 0;
/** One line for an element event, e.g. "navtalk-status: processing". */
export function eventLine<K extends keyof NavtalkEventMap>(event: NavtalkEventMap[K]): EventLine {
  const detail = event.detail as unknown as Record<string, unknown>;
  const main = detail.status ?? detail.code ?? 'video ready';
  return { id: ++lines, text: `${event.type}: ${String(main)}` };
}
