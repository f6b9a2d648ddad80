import type { NavtalkStatus } from 'navtalk-avatar';
import { useState } from 'preact/hooks';

const GREETING = 'Hello from Preact!';

export function App() {
  // `text` changes only on submit: every change is a new (paid) generation.
  const [text, setText] = useState(GREETING);
  const [draft, setDraft] = useState(GREETING);
  const [status, setStatus] = useState<NavtalkStatus>('idle');
  const [video, setVideo] = useState('–');
  const [shown, setShown] = useState(true);

  const say = (event: SubmitEvent) => {
    event.preventDefault();
    setText(draft);
  };

  return (
    <>
      {shown && (
        <navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" voice="echo" trigger="load" text={text}
          onnavtalk-status={(e) => setStatus(e.detail.status)} onnavtalk-ready={(e) => setVideo(e.detail.resultUrl)} />
      )}
      <form onSubmit={say}>
        <label>Text <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} /></label>
        <button>Say it</button>
      </form>
      <button onClick={() => setShown(false)}>Remove avatar</button>
      <p>Status: <output data-testid="status">{status}</output></p>
      <p>Video: <output data-testid="ready">{video}</output></p>
    </>
  );
}
