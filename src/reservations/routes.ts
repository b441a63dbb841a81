// /v1/reservations (issue 4) — not implemented yet.
import { Elysia } from "elysia";
import type { RouteContext } from "../routes";

export function reservationRoutes(_ctx: RouteContext) {
  return new Elysia();
}
