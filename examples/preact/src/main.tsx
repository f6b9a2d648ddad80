// Registered before the first render, so Preact sees the element's properties and sets them (not attributes).
import 'navtalk-avatar/define';
import type {} from 'navtalk-avatar/preact';
import { render } from 'preact';
import { App } from './App.js';

render(<App />, document.getElementById('app')!);
