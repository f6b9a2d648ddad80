// custom-elements.json from the element's JSDoc (@attr, @fires, @csspart, @cssprop, @slot): the single source
// for editors, docs and the React wrapper. Lit's internal reactive state is not public API, so it is left out.
export default {
  // The element, and the base class its inputs (attributes and properties) are declared in.
  globs: ['src/element/navtalk-avatar.ts', 'src/element/inputs.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [
    {
      name: 'public-api-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            const isPublic = (item) => item.privacy !== 'private' && !/^[_#]/.test(item.name);
            declaration.attributes &&= declaration.attributes.filter(isPublic);
            declaration.members &&= declaration.members.filter(isPublic);
            // Only documented events: a dispatch of a variable event type has no name of its own.
            declaration.events &&= declaration.events.filter((event) => event.description);
          }
        }
      },
    },
  ],
};
