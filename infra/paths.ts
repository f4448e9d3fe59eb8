/** Absolute paths the infrastructure code needs, independent of the working directory. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json, package-lock.json and functions/ live). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
