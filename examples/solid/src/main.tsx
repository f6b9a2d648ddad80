import 'navtalk-avatar/define';
import type {} from 'navtalk-avatar/solid';
import { render } from 'solid-js/web';
import { App } from './App.js';

render(() => <App />, document.getElementById('app')!);
