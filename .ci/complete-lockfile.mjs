#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages that `npm install` leaves out when the
// registry it talks to does not serve them (this sandbox's mirror lacks e.g. @rollup/rollup-darwin-arm64). Without
// them `npm ci` refuses the lockfile as "not in sync". Each added entry carries the package's os/cpu/libc (from the
// registry when it answers, else read off the package name), so npm skips it on other platforms without fetching it,
// and fetches it by version from the registry on the platform it is for.
// Run after `npm install <pkg>`: node .ci/complete-lockfile.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const pkgs = lock.packages;

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'android', 'sunos', 'aix', 'openharmony'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el', 'wasm32'];
function fromName(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p)) ?? (parts.includes('arm') ? 'arm' : undefined);
  const libc = parts.some((p) => p.startsWith('musl')) ? 'musl' : os === 'linux' && parts.some((p) => p === 'gnu' || p.startsWith('gnueabi')) ? 'glibc' : undefined;
  return { os: os ? [os] : undefined, cpu: cpu ? [cpu] : undefined, libc: libc ? [libc] : undefined };
}
function fromRegistry(name, version) {
  try {
    const out = execFileSync('npm', ['view', `${name}@${version}`, 'os', 'cpu', 'libc', 'license', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return out.trim() ? JSON.parse(out) : undefined;
  } catch { return undefined; }
}

let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // where npm would place it: beside its parent's node_modules or at the top level
    const nested = `${path ? path + '/' : ''}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (pkgs[nested] || pkgs[top]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(spec)) { console.error(`skip ${dep}@${spec} (not an exact version)`); continue; }
    const meta = fromRegistry(dep, spec) ?? fromName(dep);
    const e = { version: spec, optional: true };
    if (meta.license) e.license = meta.license;
    for (const k of ['cpu', 'os', 'libc']) if (meta[k]) e[k] = Array.isArray(meta[k]) ? meta[k] : [meta[k]];
    pkgs[top] = e;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform package entries to package-lock.json`);
