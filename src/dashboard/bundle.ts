// Bun macro (imported `with { type: "macro" }` by assets.ts): bundles ui/ with
// Bun's bundler when the server code is transpiled or compiled, and inlines the
// result as strings. So `bun src/main.ts`, the tests and the compiled binary
// all serve the same files from memory, with nothing read from disk at run
// time (docs/decisions.md, issue 14). A UI that does not build fails the start.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface BuiltFile {
  /** URL path, e.g. /assets/app-1a2b3c4d.js */
  path: string;
  contentType: string;
  body: string;
}

export interface BuiltUi {
  index: string;
  assets: BuiltFile[];
}

const UI = join(import.meta.dir, "..", "..", "ui");

export function buildUi(): BuiltUi {
  // Bun.build cannot run inside a macro (the bundler would wait on itself), so
  // the macro runs the `bun build` command line into a temporary folder.
  const out = mkdtempSync(join(tmpdir(), "beadhub-ui-"));
  try {
    const run = Bun.spawnSync(
      [
        process.execPath,
        "build",
        join(UI, "main.tsx"),
        "--outdir",
        out,
        "--minify",
        "--target=browser",
        "--entry-naming=app-[hash].[ext]",
        "--asset-naming=[name]-[hash].[ext]",
        "--chunk-naming=chunk-[hash].[ext]",
        "--define",
        'process.env.NODE_ENV="production"',
      ],
      { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
    );
    if (run.exitCode !== 0) throw new Error(`dashboard build failed:\n${run.stdout.toString()}${run.stderr.toString()}`);
    const assets: BuiltFile[] = [];
    for (const name of readdirSync(out).sort()) {
      const contentType = name.endsWith(".js") ? "text/javascript; charset=utf-8" : name.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream";
      assets.push({ path: `/assets/${name}`, contentType, body: readFileSync(join(out, name), "utf8") });
    }
    const js = assets.find((a) => a.path.endsWith(".js"));
    const css = assets.find((a) => a.path.endsWith(".css"));
    if (!js) throw new Error("dashboard build produced no script");
    const index = readFileSync(join(UI, "index.html"), "utf8")
      .replace("<!--css-->", css ? `<link rel="stylesheet" href="${css.path}">` : "")
      .replace("<!--js-->", `<script type="module" src="${js.path}"></script>`);
    return { index, assets };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
