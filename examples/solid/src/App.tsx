import type { NavtalkStatus } from 'navtalk-avatar';
import { createSignal, Show } from 'solid-js';

const GREETING = 'Hello from Solid!';

export function App() {
  // `text` changes only on submit: every change is a new (paid) generation.
  const [text, setText] = createSignal(GREETING);
  const [draft, setDraft] = createSignal(GREETING);
  const [status, setStatus] = createSignal<NavtalkStatus>('idle');
  const [video, setVideo] = createSignal('–');
  const [shown, setShown] = createSignal(true);

  const say = (event: SubmitEvent) => {
    event.preventDefault();
    setText(draft());
  };

  return (
    <>
      <Show when={shown()}>
        {/* A custom element's props are set as properties; `on:` listens to its events by their exact names. */}
        <navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" voice="echo" trigger="load" text={text()}
          on:navtalk-status={(e) => setStatus(e.detail.status)} on:navtalk-ready={(e) => setVideo(e.detail.resultUrl)} />
      </Show>
      <form onSubmit={say}>
        <label>Text <input value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} /></label>
        <button>Say it</button>
      </form>
      <button onClick={() => setShown(false)}>Remove avatar</button>
      <p>Status: <output data-testid="status">{status()}</output></p>
      <p>Video: <output data-testid="ready">{video()}</output></p>
    </>
  );
}
