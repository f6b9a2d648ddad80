import { createApp } from 'vue';
import '../lib/site.js';
// Registers <navtalk-avatar> before Vue renders, so bound values are set as properties.
import '../../src/define.js';
import App from './App.vue';

createApp(App).mount('#app');
