// Bun `with { type: "file" }` imports yield a path: a real file under `bun run`,
// a "/$bunfs/root/…" path inside the compiled binary (src/embedded/assets.ts).
declare module "*.wasm" {
  const path: string;
  export default path;
}

declare module "*.data" {
  const path: string;
  export default path;
}

declare module "*.tar.gz" {
  const path: string;
  export default path;
}

// The docs UI's files (src/docs/routes.ts), embedded and read per request.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}

declare module "swagger-ui-dist/swagger-ui.css" {
  const path: string;
  export default path;
}
