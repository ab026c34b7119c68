# syntax=docker/dockerfile:1
# tradelab server image: `tradelab serve` on port 8080, state in volumes under /data, running as the unprivileged
# user `node`. TypeScript runs through tsx (a runtime dependency), so the server has no build step: the deps stage
# installs the production dependencies, compiling the native ones (better-sqlite3, bufferutil) when no prebuilt
# binary matches; the web stage builds the UI (web/build, served by `tradelab serve`) with the dev dependencies,
# which stay out of the final image. See README.md, "Deployment".

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build:web

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TRADELAB_HOME=/data/home \
    TRADELAB_CACHE=/data/home/cache \
    TRADELAB_RESULTS=/data/results \
    TRADELAB_SECRETS_DIR=/run/secrets
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root . .
COPY --from=web --chown=root:root /app/web/build ./web/build
# The code stays root-owned and read-only to the server; only /data (the volumes) is writable by it.
RUN mkdir -p /data/home/cache /data/home/logs /data/results \
 && chown -R node:node /data
USER node
VOLUME ["/data/home", "/data/home/cache", "/data/home/logs", "/data/results"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "live/deploy/healthcheck.js", "http://127.0.0.1:8080/healthz"]
# Listening on 0.0.0.0 needs a user: set TRADELAB_ADMIN_PASSWORD for the first start (creates user "admin").
CMD ["node", "research/bin/tradelab.js", "serve", "--host", "0.0.0.0", "--port", "8080"]
