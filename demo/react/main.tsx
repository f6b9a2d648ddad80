/** The React app with the typed wrapper from navtalk-avatar/react (src/react.ts). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { NavtalkAvatar } from '../../src/react.js';
import '../lib/site.js';
import { ENDPOINT } from '../lib/config.js';
import { App, type AvatarProps } from './App.js';

function WrappedAvatar({ onStatus, onReady, onError, ...state }: AvatarProps) {
  return (
    <NavtalkAvatar endpoint={ENDPOINT} trigger="load" autoplay {...state}
      onNavtalkStatus={onStatus} onNavtalkReady={onReady} onNavtalkError={onError} />
  );
}

// StrictMode mounts twice in development: the element must not start two paid generations for that.
createRoot(document.querySelector('#root')!).render(
  <StrictMode>
    <App Avatar={WrappedAvatar} intro={<>
      Character, voice and text are React state, passed as props through the typed wrapper from{' '}
      <code>navtalk-avatar/react</code>. Change one and a new video is made; the events below come from the
      element. <a href="/react/raw.html">The same app without the wrapper</a>.
    </>} />
  </StrictMode>,
);
