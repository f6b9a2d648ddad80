// Not part of the app: the typecheck passes only while `trigger` rejects a value it does not take.
import type {} from 'navtalk-avatar/solid';

// @ts-expect-error `trigger` takes 'visible', 'load', 'click' or 'manual'.
export const wrong = <navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" voice="echo" text="Hi" trigger="sometimes" />;
