import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Clock } from "../../core/clock.ts";
import { type FaultPlan, FaultRule } from "./faults.ts";

/** The path prefix of every emulator's control endpoints. Real vendors never serve it. */
export const CONTROL_PREFIX = "/__cordon";

export interface ControlOptions {
  faults: FaultPlan;
  clock: Clock;
  /** Renders an injected error status in the vendor's own wire format (Okta errorCode, Slack ok:false…). */
  renderFault: (c: Context, rule: FaultRule) => Response;
}

/**
 * Middleware that applies injected faults before the vendor routes run. Control requests themselves are never
 * faulted. A dropped connection destroys the socket when served over HTTP; in-process (`app.fetch`) it throws,
 * which `fetch` callers see the same way: a network error.
 */
export function faultMiddleware(options: ControlOptions): MiddlewareHandler {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith(CONTROL_PREFIX)) return next();
    const rule = options.faults.pick(c.req.method, path);
    if (!rule) return next();
    if (rule.kind === "latency") {
      await options.clock.sleep(rule.latencyMs ?? 1000);
      return next();
    }
    if (rule.kind === "drop") {
      const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming;
      if (incoming?.socket) {
        incoming.socket.destroy();
        return new Response(null, { status: 500 });
      }
      throw new TypeError("emulator dropped the connection (injected fault)");
    }
    return options.renderFault(c, rule);
  };
}

/** `POST /__cordon/faults` adds a rule, `GET` lists them with counts, `DELETE` clears them. */
// biome-ignore lint/suspicious/noExplicitAny: any Hono env; the control routes read nothing from it.
export function mountFaultControl(app: Hono<any>, faults: FaultPlan): void {
  app.post(`${CONTROL_PREFIX}/faults`, async (c) => {
    const parsed = FaultRule.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: "invalid fault rule", issues: parsed.error.issues }, 400);
    faults.add(parsed.data);
    return c.json({ ok: true, active: faults.list().length });
  });
  app.get(`${CONTROL_PREFIX}/faults`, (c) => c.json({ active: faults.list(), injected: faults.injected }));
  app.delete(`${CONTROL_PREFIX}/faults`, (c) => {
    faults.clear();
    return c.json({ ok: true });
  });
}
