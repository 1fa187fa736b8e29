# syntax=docker/dockerfile:1
# The churn-predictor model server. Build:  docker build -t churn-predictor:local .
# Runs as uid/gid 10001 on a read-only root filesystem (mount an emptyDir at /tmp), as
# deploy/kubernetes/base/deployment.yaml does. test/deploy/ checks this file and reproduces the
# runtime stage without Docker.

# One pinned tag for every stage; bump it deliberately (Node.js 24 LTS, Debian trixie slim).
ARG NODE_IMAGE=node:24.14.0-trixie-slim

# --- build: compile TypeScript with the dev dependencies --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-web.mjs scripts/build-cli.mjs ./scripts/
COPY src ./src
# The server, the console's browser bundle (esbuild) that it serves at /, then the command line bundled (esbuild)
# so the server starts from a few files instead of hundreds.
RUN npx tsc -p tsconfig.json && node scripts/build-web.mjs && node scripts/build-cli.mjs
# One start of the server, with the model and contracts it serves, writes V8's code cache beside its bundle: the
# runtime's file system is read-only, so the image must carry the cache for its pods to start from it.
COPY scripts/warm-code-cache.mjs ./scripts/
COPY proto ./proto
COPY models/churn ./models/churn
RUN node scripts/warm-code-cache.mjs

# --- production-dependencies: what the server needs at run time, nothing more -----------------
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/include-optional-packages.mjs ./scripts/
# Optional packages (package.json: optional peer dependencies) the image carries: the AWS SDK serves s3:// models
# (overlays/production-model-from-s3). Add onnxruntime-node for ONNX models: its Linux binaries are about 60 MB.
ARG OPTIONAL_PACKAGES="@aws-sdk/client-s3"
# onnxruntime-node ships CPU binaries for every OS; a Linux image needs only Linux's.
RUN node scripts/include-optional-packages.mjs ${OPTIONAL_PACKAGES} \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32

# --- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="churn-predictor" \
      org.opencontainers.image.description="Telecom churn model server (Fastify, native GBDT inference)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/your-org/churn-predictor" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:24.14.0-trixie-slim"
# The server needs neither npm nor corepack at run time; removing them drops their CVEs too.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and read-only to the server's user: nothing in /app is writable.
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
# The gRPC endpoint reads its contracts (.proto) at start-up.
COPY proto ./proto
COPY models/churn ./models/churn
# Numeric, above 10000 (kube-score), and matching runAsUser/runAsGroup in the Deployment.
USER 10001:10001
# HTTP (PORT) and gRPC (GRPC_PORT).
EXPOSE 8000 8081
# node itself is PID 1 (no shell, no npm): SIGTERM reaches the server's drain handler directly.
# Replaces the base image's docker-entrypoint.sh. V8's young generation is held to 8 MiB a half: its default
# doubles a busy replica's young generation for no measured gain (src/foundation/server-launch.ts).
ENTRYPOINT ["node", "--max-semi-space-size=8"]
CMD ["dist/src/cli/main.js", "serve"]
