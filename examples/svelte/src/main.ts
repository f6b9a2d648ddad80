// Registered before the first render, so Svelte sees the element's properties and sets them (not attributes).
import 'navtalk-avatar/define';
import type {} from 'navtalk-avatar/svelte';
import { mount } from 'svelte';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
