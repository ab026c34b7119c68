// The code version recorded in every manifest: package version, git commit and whether the tree had local changes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface CodeVersion { readonly package: string; readonly commit: string | null; readonly dirty: boolean | null }

const root = resolve(import.meta.dirname, '..');
let cached: CodeVersion | undefined;

export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
  let commit: string | null = null;
  let dirty: boolean | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
  } catch {
    // not a git checkout (e.g. an installed copy): the package version alone identifies the code
  }
  cached = { package: pkg.version, commit, dirty };
  return cached;
}
