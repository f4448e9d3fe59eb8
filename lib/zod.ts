/**
 * The zod that the schemas on the request path are written with: `zod/mini`, the tree-shakable
 * build of the same zod 4 core (functions such as `z.optional(s)` and `s.check(z.maxLength(n))`
 * instead of methods). A Lambda bundle then carries only the validators its schemas use
 * (19–34 KiB minified) instead of the whole classic API (444 KiB, which does not tree-shake and
 * costs ≈ 18 ms of every cold start; bench/README.md). Parsing, issues and `z.toJSONSchema` are
 * the classic API's own, so validation and the OpenAPI description are unchanged.
 *
 * One difference matters: `zod/mini` ships no messages (every default issue would read
 * "Invalid input"), so this installs the English locale classic `zod` installs, and the
 * messages of our 400s stay what they were. Import it from here, never from `zod/mini`, as
 * `import * as z from '…/zod.ts'`: a namespace import that is only ever dereferenced
 * (`z.string`) lets esbuild keep just what is used, where a namespace *object* passed around
 * (zod/mini's own `export { z }`) would keep all of it, every locale included.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
