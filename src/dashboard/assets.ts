// The built dashboard as an in-memory file table: path → bytes, content type,
// ETag. The bundle is made by a macro at transpile/compile time (bundle.ts), so
// the compiled binary carries it and nothing is read from disk.
import { buildUi } from "./bundle" with { type: "macro" };

export interface ServedFile {
  body: string;
  contentType: string;
  etag: string;
}

const built = buildUi();

function etagOf(body: string): string {
  return `"${new Bun.CryptoHasher("sha256").update(body).digest("hex").slice(0, 16)}"`;
}

export const indexFile: ServedFile = {
  body: built.index,
  contentType: "text/html; charset=utf-8",
  etag: etagOf(built.index),
};

export const assetFiles: ReadonlyMap<string, ServedFile> = new Map(
  built.assets.map((a) => [a.path, { body: a.body, contentType: a.contentType, etag: etagOf(a.body) }]),
);

/** Minified JS + CSS bytes (the 150 KB budget; bench/dashboard.ts reports it). */
export const bundleBytes = built.assets.reduce((n, a) => n + Buffer.byteLength(a.body), 0);
