import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { systemClock } from "../../src/core/clock.ts";
import { CordonError } from "../../src/core/errors.ts";
import { HttpClient, type VendorPolicy } from "../../src/http/client.ts";
import { RateGovernor } from "../../src/http/governor.ts";
import { RetryBudget } from "../../src/http/retry.ts";

/** A vendor on 127.0.0.1 that answers each request with the next status of the script (then 200). */
async function scriptedVendor(statuses: number[]) {
  let served = 0;
  const server = createServer((_req, res) => {
    const status = statuses[served++] ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    served: () => served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const policy: VendorPolicy = {
  vendor: "test",
  readRateLimit: () => ({}),
  classify: (response) =>
    response.status === 429
      ? new CordonError({ kind: "rate_limited", vendor: "test", retryAfterMs: 5 }, "slow down")
      : response.status >= 500
        ? new CordonError({ kind: "transient", vendor: "test", status: response.status }, "vendor error")
        : null,
};

function client(budget: RetryBudget) {
  const clock = systemClock();
  return new HttpClient({
    policy,
    tenant: "t",
    governor: new RateGovernor({ clock }),
    budget,
    clock,
    authorization: () => "Bearer x",
    retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 2 },
  });
}

const request = (url: string) => ({
  method: "GET" as const,
  url: new URL(url),
  bucket: "b",
  limit: { limit: 1000, windowMs: 60_000 },
  idempotent: true,
  operation: "get",
});

test("429s are waited out without spending the retry budget; 5xx retries spend it and stop when it is dry", async () => {
  const limited = await scriptedVendor([429, 429, 429, 429, 429]);
  const budget = new RetryBudget({ capacity: 10, retryCost: 5 });
  const answer = await client(budget).send(request(limited.url));
  assert.equal(answer.status, 200);
  assert.equal(limited.served(), 6);
  assert.equal(budget.tokens, 10, "rate limits cost nothing");
  await limited.close();

  const failing = await scriptedVendor([500, 500, 500, 500, 500]);
  await assert.rejects(client(budget).send(request(failing.url)), (error: CordonError) => {
    assert.equal(error.kind, "retry_budget_exhausted");
    return true;
  });
  assert.equal(failing.served(), 3, "two retries paid for, the third refused");
  await failing.close();
});
