#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK, docker-compose healthcheck): GET /healthz of the local server.
// Exit 0 when it answers 200 within 4 s; otherwise exit 1 with the reason on stderr (Docker keeps it in
// `docker inspect`). /healthz itself answers 503 when the database or an exchange in use is unreachable.
//   node live/deploy/healthcheck.js [url]     (default http://127.0.0.1:8080/healthz)
const url = process.argv[2] ?? process.env.TRADELAB_HEALTHCHECK_URL ?? 'http://127.0.0.1:8080/healthz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = await res.text();
  if (res.status === 200) process.exit(0);
  console.error(`unhealthy: ${url} answered HTTP ${res.status}: ${body.slice(0, 500)}`);
} catch (e) {
  const cause = e && typeof e === 'object' && 'cause' in e && e.cause && typeof e.cause === 'object' && 'code' in e.cause ? ` (${String(e.cause.code)})` : '';
  console.error(`unhealthy: ${url}: ${e instanceof Error ? e.message : String(e)}${cause}`);
}
process.exit(1);
