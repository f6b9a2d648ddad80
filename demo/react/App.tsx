/**
 * A small React 19 app: the character, voice and text live in React state and flow into the element as
 * props (a change starts a new generation); its events update the UI. The element is rendered by the
 * `Avatar` it is given: through the @lit/react wrapper (main.tsx) or as the plain tag (raw.tsx).
 */
import { useState, type ComponentType, type FormEvent, type ReactNode } from 'react';
import type {
  NavtalkErrorDetail, NavtalkErrorEvent, NavtalkReadyEvent, NavtalkStatus, NavtalkStatusEvent,
} from '../../src/index.js';
import { CHARACTERS, VOICES, type Voice } from '../../src/protocol/index.js';
import { EVENTS_SHOWN, START, eventLine, type EventLine } from '../lib/app-state.js';

/** What the app hands the element: its state and its three handlers. */
export interface AvatarProps {
  character: string;
  voice: Voice;
  text: string;
  onStatus(event: NavtalkStatusEvent): void;
  onReady(event: NavtalkReadyEvent): void;
  onError(event: NavtalkErrorEvent): void;
}

export function App({ Avatar, intro }: { Avatar: ComponentType<AvatarProps>; intro: ReactNode }) {
  const [character, setCharacter] = useState(START.character);
  const [voice, setVoice] = useState<Voice>(START.voice);
  const [text, setText] = useState(START.text);
  const [draft, setDraft] = useState(START.text);
  const [status, setStatus] = useState<NavtalkStatus>('idle');
  const [taskId, setTaskId] = useState<string | null>(null);
  const [resultUrl, setResultUrl] = useState<string | null>(null);
  const [error, setError] = useState<NavtalkErrorDetail | null>(null);
  const [events, setEvents] = useState<EventLine[]>([]);

  const log = (line: EventLine) => setEvents((previous) => [line, ...previous].slice(0, EVENTS_SHOWN));
  const say = (event: FormEvent) => {
    event.preventDefault();
    setText(draft);
  };

  return (
    <>
      <div className="page-head">
        <p className="eyebrow">React 19</p>
        <h1>The avatar in a React app</h1>
        <p className="lede">{intro}</p>
      </div>
      <div className="app">
        <section className="card app__stage" aria-label="Avatar">
          <Avatar
            character={character}
            voice={voice}
            text={text}
            onStatus={(e) => {
              setStatus(e.detail.status);
              setTaskId(e.detail.taskId);
              if (e.detail.status === 'submitting') {
                setResultUrl(null);
                setError(null);
              }
              log(eventLine(e));
            }}
            onReady={(e) => {
              setResultUrl(e.detail.resultUrl);
              log(eventLine(e));
            }}
            onError={(e) => {
              setError(e.detail);
              log(eventLine(e));
            }}
          />
        </section>
        <div className="app__panel">
          <form className="card card--pad" onSubmit={say} aria-labelledby="controls-title">
            <h2 id="controls-title">Props from state</h2>
            <div className="app__row">
              <div className="field">
                <label className="label" htmlFor="character">Character</label>
                <select className="select" id="character" value={character} onChange={(e) => setCharacter(e.target.value)}>
                  {CHARACTERS.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              </div>
              <div className="field">
                <label className="label" htmlFor="voice">Voice</label>
                <select className="select" id="voice" value={voice} onChange={(e) => setVoice(e.target.value as Voice)}>
                  {VOICES.map((v) => <option key={v} value={v}>{v}</option>)}
                </select>
              </div>
            </div>
            <div className="app__say">
              <div className="field">
                <label className="label" htmlFor="text">Text</label>
                <textarea className="textarea" id="text" value={draft} onChange={(e) => setDraft(e.target.value)} />
              </div>
              <button className="button button--primary" type="submit" disabled={draft === text}>Say it</button>
            </div>
          </form>
          <section className="card card--pad" aria-labelledby="report-title">
            <h2 id="report-title">What the element reports</h2>
            <dl className="report">
              <div><dt>status</dt><dd><span className="status-pill" data-status={status} data-testid="status">{status}</span></dd></div>
              <div><dt>task</dt><dd data-testid="task">{taskId ?? '–'}</dd></div>
              <div>
                <dt>video</dt>
                <dd data-testid="ready">{resultUrl ? <a href={resultUrl}>{resultUrl}</a> : '–'}</dd>
              </div>
              <div><dt>error</dt><dd data-testid="error" className="error-text">{error ? `${error.code}: ${error.message}` : '–'}</dd></div>
            </dl>
            <ol className="log log--plain" aria-label="Latest events, newest first" data-testid="events">
              {events.map((line) => <li key={line.id}><span className="log__detail">{line.text}</span></li>)}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}
