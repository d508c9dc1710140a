# One image for node-john, node-paul, node-george and node-ringo; the command
# picks the service at run time:
#   docker run ping-pong/node node apps/paul/dist/main.js
# Build context: the repo root.

# turbo prune --docker splits the services' workspaces into package.json files
# + lockfile (json/) and sources (full/), so `npm ci` below is cached until a
# dependency changes, whatever source file was edited.
FROM node:24-trixie-slim AS prune
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /repo
# Same version as the lockfile's turbo; installed on its own layer so it is cached.
RUN npm install --global --no-audit --no-fund turbo@2.11.11
COPY . .
RUN turbo prune @ping-pong/john @ping-pong/paul @ping-pong/george @ping-pong/ringo --docker --out-dir /pruned

# The image config both the dev and the production stage share.
FROM node:24-trixie-slim AS base
WORKDIR /app
EXPOSE 3000
# No curl in this image: node itself asks /ping, on whatever PORT the service uses.
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM base AS deps
COPY --from=prune /pruned/json/ ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

FROM deps AS build
ENV TURBO_TELEMETRY_DISABLED=1
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
RUN npx turbo run build --filter=@ping-pong/john --filter=@ping-pong/paul --filter=@ping-pong/george --filter=@ping-pong/ringo

# docker-compose.yml's dev loop: all dependencies and the sources, which
# compose bind-mounts over and `tsx watch` reloads.
FROM build AS dev
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
USER node

# Production: compiled JavaScript and production dependencies only, owned by
# root so the node user cannot change them (and nothing is written at run time,
# so the root filesystem can be read-only).
FROM base AS runtime
ENV NODE_ENV=production
COPY --from=prune /pruned/json/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/contract/dist packages/contract/dist
COPY --from=build /app/packages/ping-core/dist packages/ping-core/dist
COPY --from=build /app/apps/john/dist apps/john/dist
COPY --from=build /app/apps/paul/dist apps/paul/dist
COPY --from=build /app/apps/george/dist apps/george/dist
COPY --from=build /app/apps/ringo/dist apps/ringo/dist
USER node
# Exec form: the entrypoint execs node as PID 1, so SIGTERM reaches it and it drains.
CMD ["node", "apps/john/dist/main.js"]
