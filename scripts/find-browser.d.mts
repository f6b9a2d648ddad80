// Types of find-browser.mjs, for the TypeScript that starts browsers (test/element/support/webkit-launcher.ts).
export declare const findChromium: () => string;
export declare const findFirefox: () => string;
export declare const findWebKitDriver: () => string;
