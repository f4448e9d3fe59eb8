/**
 * The media fixtures of `test/fixtures/media/` (copied from the shared fixture set, described
 * by its `fixtures.json`) and how tests read them: one place, so a test names a file, never a
 * path relative to itself.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MEDIA = new URL('../fixtures/media/', import.meta.url);

/** One entry of `fixtures.json`: a file, its declared type, expected metadata and outcome. */
export interface MediaFixture {
  file: string;
  mimeType: string;
  fileType: string | null;
  width: number | null;
  height: number | null;
  duration: number | null;
  /** `accept…` or the refusal the contract expects. */
  expect: string;
}

/** Every file `fixtures.json` describes. */
export const MEDIA_FIXTURES: readonly MediaFixture[] = JSON.parse(
  readFileSync(new URL('fixtures.json', MEDIA), 'utf8'),
).files;

/** The bytes of `test/fixtures/media/<file>`: a fresh Buffer each call (some code edits in place). */
export const mediaBytes = (file: string): Buffer => readFileSync(new URL(file, MEDIA));

/** The file's absolute path, for a CLI or a child process. */
export const mediaFixturePath = (file: string): string => fileURLToPath(new URL(file, MEDIA));
