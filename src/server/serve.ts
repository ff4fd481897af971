/**
 * `cordon serve` on the embedded default: one process, SQLite, the in-process playbook worker. Starts in this
 * order — store and its one-server lock, connectors, playbooks, worker (which resumes what a dead process left),
 * System Log pollers, schedules, then the listener — and stops in the reverse order.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { type ServerType, serve as serveHttp } from "@hono/node-server";
import { type Env, type LoadedConfig, resolveSecret } from "../config/load.ts";
import { resolveConnections } from "../config/resolve.ts";
import { Server } from "../config/schema.ts";
import { createConnector } from "../connectors/index.ts";
import { oktaEventLogSource } from "../connectors/okta/events.ts";
import type { Clock } from "../core/clock.ts";
import type { Connector } from "../core/connector.ts";
import { CordonError, toCordonError } from "../core/errors.ts";
import { RateGovernor } from "../http/governor.ts";
import { loadPlaybookFile } from "../playbooks/load.ts";
import type { PlaybookEnvironment } from "../playbooks/runner.ts";
import { connectionsOf, type Playbook } from "../playbooks/schema.ts";
import { loadBuiltInTemplate } from "../playbooks/templates/index.ts";
import { LogPoller } from "../playbooks/triggers/log-poller.ts";
import { Schedules } from "../playbooks/triggers/schedule.ts";
import { PlaybookWorker } from "../playbooks/worker.ts";
import { runConfiguredReconcile } from "../reconcile/job.ts";
import type { Store } from "../store/types.ts";
import { createApp, type HookSettings } from "./app.ts";
import { Metrics } from "./metrics.ts";

export interface ServeOptions {
  loaded: LoadedConfig;
  env: Env;
  store: Store;
  clock: Clock;
  /** Override cordon.yaml `server.host` / `server.port`. */
  host?: string;
  port?: number;
  log: (entry: Record<string, unknown>) => void;
  /** Run only these playbooks (files or builtin:<name>) instead of cordon.yaml `playbooks`. */
  playbooks?: string[];
  /** Worker tick (tests use a short one). Default 1 s. */
  tickMs?: number;
  /**
   * Compresses every rate-limit window by this factor, to match emulators started with the same `--time-scale`
   * (benchmarks, rehearsals). Never set it against a real vendor: it would exceed the documented limits.
   */
  timeScale?: number;
}

export interface RunningServer {
  url: string;
  worker: PlaybookWorker;
  metrics: Metrics;
  /** Graceful: stop listening, finish or hand back in-flight steps, release the lock. */
  stop(graceMs?: number): Promise<{ handedBack: number }>;
}

type ServerSettings = NonNullable<LoadedConfig["config"]["server"]>;

/** Schedule names: playbooks' and the reconcile's never collide, whatever a playbook is called. */
const PLAYBOOK_SCHEDULE = "playbook:";
const RECONCILE_SCHEDULE = "reconcile";

/** A lock older than this belongs to a dead process. */
const LOCK_STALE_MS = 15_000;
const LOCK_HEARTBEAT_MS = 5_000;

/** `builtin:<name>` or a YAML file relative to the config; any error names the file, line and column. */
export function loadPlaybooks(entries: string[], baseDir: string): Playbook[] {
  const playbooks = entries.map((entry) => {
    if (entry.startsWith("builtin:")) return loadBuiltInTemplate(entry.slice(8)).playbook;
    const loaded = loadPlaybookFile(resolve(baseDir, entry));
    if (!loaded.ok) {
      const first = loaded.errors[0]!;
      throw new CordonError(
        { kind: "config", path: "playbooks" },
        `${first.file}:${first.line}:${first.column}: ${first.message}${loaded.errors.length > 1 ? ` (and ${loaded.errors.length - 1} more; run cordon playbook validate)` : ""}`,
      );
    }
    return loaded.playbook;
  });
  const names = new Set<string>();
  for (const playbook of playbooks) {
    if (names.has(playbook.name))
      throw new CordonError(
        { kind: "config", path: "playbooks" },
        `two playbooks are named ${playbook.name}`,
      );
    names.add(playbook.name);
  }
  return playbooks;
}

/**
 * The playbooks, loaded and checked against the configured connections: a playbook that names a connection nobody
 * configured would fail at its first event, at 3 a.m., so it is refused now.
 */
export function loadServedPlaybooks(entries: string[], baseDir: string, connections: string[]): Playbook[] {
  const playbooks = loadPlaybooks(entries, baseDir);
  for (const playbook of playbooks) {
    const missing = connectionsOf(playbook).filter((name) => !connections.includes(name));
    if (missing.length > 0)
      throw new CordonError(
        { kind: "config", path: "playbooks" },
        `playbook ${playbook.name} uses connection(s) ${missing.join(", ")}, not configured in cordon.yaml`,
      );
  }
  return playbooks;
}

/** Every hook's secret, resolved; the first missing one is a config error naming the reference, never a value. */
export function resolveHooks(loaded: LoadedConfig, settings: ServerSettings, env: Env): HookSettings {
  const secret = (reference: string, what: string) => resolveSecret(reference, env, loaded.baseDir, what);
  return {
    okta: new Map(
      Object.entries(settings.hooks.okta).map(([name, hook]) => [
        name,
        { secret: secret(hook.secret, `server.hooks.okta.${name}.secret`), header: hook.header },
      ]),
    ),
    slackSigningSecret: settings.hooks.slack
      ? secret(settings.hooks.slack.signingSecret, "server.hooks.slack.signingSecret")
      : null,
    generic: new Map(
      Object.entries(settings.hooks.generic).map(([name, hook]) => [
        name,
        { ...hook, secret: secret(hook.secret, `server.hooks.generic.${name}.secret`) },
      ]),
    ),
  };
}

/** Okta's admin console for an org URL (`https://acme.okta.com` → `https://acme-admin.okta.com`). */
export function oktaAdminUrl(orgUrl: string): string {
  const url = new URL(orgUrl);
  const [first, ...rest] = url.hostname.split(".");
  const oktaHosted = /(^|\.)(okta|oktapreview|okta-emea|okta-gov|okta\.mil)\.com$/.test(url.hostname);
  if (oktaHosted && first && !first.endsWith("-admin")) url.hostname = [`${first}-admin`, ...rest].join(".");
  return url.origin;
}

/**
 * The lock's owner when it is a process of this machine that no longer exists (killed, crashed): its lock need not
 * go stale before a restart takes over.
 */
async function deadLockOwner(store: Store): Promise<string | undefined> {
  const lock = await store.automation.readServerLock();
  const [host, pid] = lock?.owner.split(":") ?? [];
  if (!lock || host !== hostname() || !pid) return undefined;
  try {
    process.kill(Number(pid), 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? lock.owner : undefined;
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { loaded, store } = options;
  const settings = loaded.config.server ?? Server.parse({});
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  if (!(await store.automation.acquireServerLock(owner, LOCK_STALE_MS, await deadLockOwner(store)))) {
    throw new CordonError(
      { kind: "conflict", vendor: "cordon" },
      "another cordon serve is running on this store (its lock was refreshed in the last 15 s); stop it first",
    );
  }

  try {
    return await startUnderLock(options, settings, owner);
  } catch (error) {
    // Nothing is running yet: give the lock back so a corrected start need not wait for it to go stale.
    await store.automation.releaseServerLock(owner);
    throw error;
  }
}

async function startUnderLock(
  options: ServeOptions,
  settings: ServerSettings,
  owner: string,
): Promise<RunningServer> {
  const { loaded, env, store, clock, log } = options;
  const metrics = new Metrics();
  const governor = new RateGovernor({ clock, timeScale: options.timeScale ?? 1 });
  const resolved = resolveConnections(loaded, env);
  const connectors: Connector[] = resolved.map((connection) =>
    createConnector(connection, {
      clock,
      governor,
      onAttempt: (attempt) => {
        if (attempt.status === 429) metrics.vendorRateLimited.inc({ vendor: attempt.vendor });
        metrics.vendorRequests.inc({
          vendor: attempt.vendor,
          // Per-channel buckets would make one series each; the bucket's kind is what matters.
          bucket: attempt.bucket.split(":")[0] ?? attempt.bucket,
          limit: String(attempt.limit.limit),
          window_seconds: String(attempt.limit.windowMs / 1000),
        });
      },
    }),
  );
  const adminUrls = new Map(
    resolved
      .filter((c) => c.vendor === "okta" && typeof c["orgUrl"] === "string")
      .map((c) => [c.name, oktaAdminUrl(String(c["orgUrl"]))]),
  );
  const playbooks = loadServedPlaybooks(
    options.playbooks ?? loaded.config.playbooks,
    loaded.baseDir,
    connectors.map((c) => c.connection),
  );
  const hooks = resolveHooks(loaded, settings, env);

  const arrivals = new Map<string, number>();
  const env_: PlaybookEnvironment = {
    store,
    connectors,
    clock,
    policy: loaded.config.policy,
    adminUrl: (origin) => adminUrls.get(origin) ?? null,
    observe: {
      containmentCall: (run) => {
        const arrived = arrivals.get(run.eventKey);
        if (arrived !== undefined) {
          metrics.timeToContainment.observe((clock.now() - arrived) / 1000);
          arrivals.delete(run.eventKey);
        }
      },
      stepFinished: (kind, ms, state) => metrics.stepSeconds.observe(ms / 1000, { kind, state }),
    },
  };
  const worker = new PlaybookWorker({
    env: env_,
    playbooks,
    log,
    concurrency: settings.concurrency,
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    onRunSettled: (run) => {
      arrivals.delete(run.eventKey);
      log({
        level: "info",
        msg: "playbook run",
        run: run.id,
        playbook: run.playbook,
        state: run.state,
        error: run.error,
      });
    },
  });

  // Everything is built before anything starts: a bad setting or a port in use leaves nothing running.
  const pollers = Object.entries(settings.poll).map(([name, poll]) => {
    const connector = connectors.find((c) => c.connection === name);
    if (!connector)
      throw new CordonError({ kind: "config", path: `server.poll.${name}` }, `no connection named ${name}`);
    const eventTypes = [
      ...new Set(playbooks.filter((p) => p.trigger.source === "okta").flatMap((p) => p.trigger.events)),
    ];
    const poller = new LogPoller({
      source: oktaEventLogSource(connector, name, {
        clock,
        lookbackMs: poll.lookbackMinutes * 60_000,
        ...(eventTypes.length > 0 ? { eventTypes } : {}),
      }),
      cursors: store.automation,
      accept: async (events) => {
        const { accepted, duplicates } = await store.automation.acceptEvents(events);
        metrics.eventsReceived.inc({ source: "okta-poll", result: "accepted" }, accepted.length);
        if (duplicates.length > 0)
          metrics.eventsReceived.inc({ source: "okta-poll", result: "duplicate" }, duplicates.length);
        worker.kick();
      },
      clock,
      intervalMs: poll.intervalSeconds * 1000,
      onError: (error) =>
        log({ level: "warn", msg: "System Log poll failed", connection: name, error: error.message }),
    });
    return poller;
  });

  const schedules = new Schedules({
    clock,
    onTick: async (name, tickIso) => {
      if (name === RECONCILE_SCHEDULE) return scheduledReconcile();
      const playbook = name.slice(PLAYBOOK_SCHEDULE.length);
      await store.automation.acceptEvents([
        {
          key: `schedule:${playbook}:${tickIso}`,
          source: "schedule",
          type: "schedule",
          occurredAt: tickIso,
          subject: null,
          origin: playbook,
          data: {},
        },
      ]);
      worker.kick();
    },
    onError: (error, name) =>
      log({ level: "warn", msg: "scheduled tick failed", schedule: name, error: error.message }),
  });
  const reconcileSettings = loaded.config.reconcile;
  const scheduledReconcile = async () => {
    if (!reconcileSettings) return;
    try {
      const outcomes = await runConfiguredReconcile({
        settings: reconcileSettings,
        baseDir: loaded.baseDir,
        connectors,
        store,
        clock,
        actor: "schedule:reconcile",
        apply: reconcileSettings.apply,
        firstRunApply: false,
      });
      for (const o of outcomes)
        log({
          level: "info",
          msg: "scheduled reconcile",
          target: o.target,
          plan: o.plan.hash,
          counts: o.plan.counts,
          applied: Boolean(o.result),
        });
    } catch (error) {
      // A fail-closed stop (empty source, cap exceeded) is an alarm, not a crash: logged, and the next tick tries again.
      log({ level: "error", msg: "scheduled reconcile stopped", error: toCordonError(error).message });
    }
  };

  const app = createApp({
    store,
    worker,
    clock,
    metrics,
    hooks,
    maxBodyBytes: settings.maxBodyBytes,
    requestTimeoutMs: settings.requestTimeoutMs,
    arrivals,
    log,
  });
  const host = options.host ?? settings.host;
  const port = options.port ?? settings.port;
  const tls = settings.tls
    ? {
        cert: readFileSync(resolve(loaded.baseDir, settings.tls.certFile)),
        key: readFileSync(resolve(loaded.baseDir, settings.tls.keyFile)),
      }
    : null;
  const server = await new Promise<ServerType>((resolveListen, reject) => {
    const listening = serveHttp(
      {
        fetch: app.fetch,
        hostname: host,
        port,
        ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
      },
      () => resolveListen(listening),
    );
    listening.once("error", reject);
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const url = `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;

  // Listening: now the work starts (events that arrived in between are already in the store).
  worker.start();
  for (const poller of pollers) poller.start();
  for (const playbook of playbooks) {
    if (playbook.trigger.source === "schedule" && playbook.trigger.cron)
      schedules.add(`${PLAYBOOK_SCHEDULE}${playbook.name}`, playbook.trigger.cron);
  }
  if (reconcileSettings?.schedule) schedules.add(RECONCILE_SCHEDULE, reconcileSettings.schedule);
  const heartbeat = setInterval(() => {
    void store.automation.acquireServerLock(owner, LOCK_STALE_MS).then((held) => {
      if (!held) log({ level: "error", msg: "lost the server lock to another process" });
    });
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  log({ level: "info", msg: "cordon serve listening", url, playbooks: playbooks.map((p) => p.name) });

  return {
    url,
    worker,
    metrics,
    async stop(graceMs = 10_000) {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Idle keep-alive connections would hold close() open; requests in progress still finish.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await closed;
      schedules.stop();
      await Promise.all(pollers.map((p) => p.stop()));
      const result = await worker.stop(graceMs);
      clearInterval(heartbeat);
      await store.automation.releaseServerLock(owner);
      return result;
    },
  };
}
