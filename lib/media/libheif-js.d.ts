/** `libheif-js/wasm-bundle` ships no types of its own; `heic-decode.ts` types what it uses. */
declare module 'libheif-js/wasm-bundle' {
  const libheif: unknown;
  export default libheif;
}
