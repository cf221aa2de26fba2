# syntax=docker/dockerfile:1
# Build: all dependencies (TypeScript, esbuild), then `npm run build`: the server and the shared
# contract compiled to dist/ (tsconfig.build.json) and the browser bundles with their .br/.gz
# siblings in dist/client (scripts/build-client.mjs).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies only (no tsx, esbuild or TypeScript), the compiled server,
# the bundles and the static pages, run by plain node as a non-root user. HOST=0.0.0.0: inside a
# container the published port reaches the process only on all interfaces.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY client/public ./client/public
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
