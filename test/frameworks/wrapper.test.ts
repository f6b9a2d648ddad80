import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the React wrapper (src/react.ts)', () => {
  it('is what scripts/make-react.mjs makes from the element JSDoc, so its events are the @fires', () => {
    // --check exits 1 with a message when the file differs from a fresh generation.
    expect(() => execFileSync(process.execPath, ['scripts/make-react.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
