# The ghcprof server, CLI and agent (one image; the command picks the role):
#   docker run ghcprof serve                       (default; SQLite in /data, or GHCPROF_DB=postgres://...)
#   docker run ghcprof agent --watch /profiles ...  (the sidecar)
#   docker run ghcprof token create --tenant T --scope write
# `ghcprof` is also on PATH, for shell commands in manifests (the profiling Job's upload step).
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY pkg ./pkg
RUN npx tsc -p pkg/tsconfig.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    GHCPROF_HOST=0.0.0.0 \
    GHCPROF_PORT=4040 \
    GHCPROF_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json ./
COPY bin ./bin
# /grafana-provisioning: the compose jobs lay out Grafana's provisioning there (a new volume takes this ownership).
RUN mkdir -p /data /spool /tokens /grafana-provisioning && chown node:node /data /spool /tokens /grafana-provisioning \
 && ln -s /app/bin/ghcprof.js /usr/local/bin/ghcprof
USER node
VOLUME ["/data"]
EXPOSE 4040
ENTRYPOINT ["node", "/app/bin/ghcprof.js"]
CMD ["serve"]
