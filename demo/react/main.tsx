import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../lib/site.js';
import { App } from './App.js';

// StrictMode mounts twice in development: the element must not start two paid generations for that.
createRoot(document.querySelector('#root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
