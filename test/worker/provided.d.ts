// What the global setup hands to the tests in workerd. (Importing vitest makes the augmentation apply even
// where only vitest/node is imported.)
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The mock NavTalk, e.g. http://127.0.0.1:40123. */
    mockUrl: string;
    mockLicense: string;
  }
}
