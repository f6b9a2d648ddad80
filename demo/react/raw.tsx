/**
 * The React app with the plain <navtalk-avatar> tag and React 19's own custom element support: props are
 * set as properties, and `on` + event name props (case-sensitive: `onnavtalk-ready`) become listeners.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// Registered before React renders, so React sees the properties and sets them as such.
import '../../src/define.js';
import type {} from '../../src/types/jsx.js';
import '../lib/site.js';
import { ENDPOINT } from '../lib/config.js';
import { App, type AvatarProps } from './App.js';

function RawAvatar({ onStatus, onReady, onError, ...state }: AvatarProps) {
  return (
    <navtalk-avatar endpoint={ENDPOINT} trigger="load" autoplay {...state}
      onnavtalk-status={onStatus} onnavtalk-ready={onReady} onnavtalk-error={onError} />
  );
}

createRoot(document.querySelector('#root')!).render(
  <StrictMode>
    <App Avatar={RawAvatar} intro={<>
      The same app with the plain <code>&lt;navtalk-avatar&gt;</code> tag and no wrapper: React 19 sets the
      props as properties and listens through <code>onnavtalk-status</code>-style props, typed by{' '}
      <code>navtalk-avatar/jsx</code>. <a href="/react/">The app with the wrapper</a>.
    </>} />
  </StrictMode>,
);
