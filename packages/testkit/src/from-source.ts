import { join } from 'node:path';
import { REPO_ROOT } from './kratos.ts';

/**
 * The `--import` hook that lets a child process run the workspace packages from their TypeScript
 * sources (scripts/from-source.ts): `spawn(process.execPath, ['--import', FROM_SOURCE, entry])`.
 */
export const FROM_SOURCE = join(REPO_ROOT, 'scripts/from-source.ts');
