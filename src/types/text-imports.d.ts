// Bun `with { type: "text" }` imports yield the file contents as a string.
declare module "*.md" {
  const text: string;
  export default text;
}

declare module "*.sql" {
  const text: string;
  export default text;
}

