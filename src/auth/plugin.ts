// The one auth plugin: every route module `.use()`s it and gets `auth`, a
// lazily-resolving RequestAuth. Routes say what they need (auth.identity(),
// auth.aweb(), auth.actor()); nothing is looked up for routes that need nothing.
// Named so Elysia de-duplicates it however many modules use it.
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { RequestAuth } from "./identity";

export function authPlugin(deps: Deps) {
  return new Elysia({ name: "beadhub.auth" }).derive(
    { as: "scoped" },
    ({ request }) => ({ auth: new RequestAuth(deps, request.headers, request) }),
  );
}
