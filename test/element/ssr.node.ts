// Server-side rendering safety, in Node (no DOM): importing the entries touches no DOM global, and define()
// is harmless. Run by `npm run test:element` with node:test (WTR runs the *.test.ts browser files).
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the entries import without a DOM, and define() can be called twice', async () => {
  const { NavtalkAvatar } = await import('../../src/index.js');
  assert.equal(typeof NavtalkAvatar, 'function');
  assert.equal(globalThis.customElements?.get('navtalk-avatar'), undefined, 'index.ts registers nothing');
  await import('../../src/define.js');
  NavtalkAvatar.define();
  NavtalkAvatar.define('navtalk-avatar', undefined);
  assert.equal('document' in globalThis, false, 'no document was created');
  assert.equal('window' in globalThis, false, 'no window was created');
});
