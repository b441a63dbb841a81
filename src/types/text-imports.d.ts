// Bun `with { type: "text" }` imports yield the file contents as a string.
declare module "*.md" {
  const text: string;
  export default text;
}

declare module "*.sql" {
  const text: string;
  export default text;
}

// The docs UI (src/docs/assets.ts), inlined as text.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}
