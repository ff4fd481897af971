import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  oktaVerificationResponse,
  signGenericWebhook,
  signSlackRequest,
  verifyGenericWebhook,
  verifyOktaAuthorization,
  verifySlackSignature,
} from "../../src/server/verify/index.ts";

const NOW_MS = 1_760_000_000_000;
const NOW_S = NOW_MS / 1000;
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

/** Headers from arbitrary name/value pairs; pairs the Headers class itself refuses are skipped. */
function looseHeaders(pairs: Array<[string, string]>): Headers {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    try {
      headers.append(name, value);
    } catch {
      // Not a legal header: a real request could not carry it either.
    }
  }
  return headers;
}

/** Changes one character of a string to a different one. */
function tamper(text: string, index: number, replacement: string): string {
  const at = index % text.length;
  const original = text[at];
  const next = replacement === original ? (original === "a" ? "b" : "a") : replacement;
  return text.slice(0, at) + next + text.slice(at + 1);
}

describe("okta shared secret", () => {
  test("the configured secret passes; a wrong, missing or empty one is 401 without echoing either", () => {
    const ok = verifyOktaAuthorization(new Headers({ authorization: SECRET }), SECRET);
    assert.deepEqual(ok, { ok: true });
    const wrong = verifyOktaAuthorization(new Headers({ authorization: "guess" }), SECRET);
    assert.equal(wrong.ok, false);
    assert.equal(!wrong.ok && wrong.status, 401);
    assert.ok(!wrong.ok && !wrong.reason.includes(SECRET) && !wrong.reason.includes("guess"));
    const missing = verifyOktaAuthorization(new Headers(), SECRET);
    assert.equal(!missing.ok && missing.status, 401);
    assert.equal(verifyOktaAuthorization(new Headers({ authorization: "" }), "").ok, false);
  });

  test("the header key follows the hook's authScheme", () => {
    const headers = new Headers({ "x-okta-secret": SECRET });
    assert.equal(verifyOktaAuthorization(headers, SECRET, "X-Okta-Secret").ok, true);
    assert.equal(verifyOktaAuthorization(headers, SECRET).ok, false);
    assert.equal(verifyOktaAuthorization(headers, SECRET, "not a header name").ok, false);
  });

  test("the one-time verification echoes the challenge, and nothing without one", () => {
    const headers = new Headers({ "X-Okta-Verification-Challenge": "2PZ7FmSgYq4xY8nVtwq7" });
    assert.deepEqual(oktaVerificationResponse(headers), { verification: "2PZ7FmSgYq4xY8nVtwq7" });
    assert.equal(oktaVerificationResponse(new Headers()), null);
    assert.equal(
      oktaVerificationResponse(new Headers({ "x-okta-verification-challenge": "x".repeat(5000) })),
      null,
    );
  });

  test("property: only the exact secret passes", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, presented) => {
        const result = verifyOktaAuthorization(looseHeaders([["authorization", presented]]), secret);
        const sent = looseHeaders([["authorization", presented]]).get("authorization");
        assert.equal(result.ok, sent === secret);
      }),
    );
  });
});

describe("slack signing secret", () => {
  // Slack's worked example (api.slack.com/authentication/verifying-requests-from-slack).
  const example = {
    body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    timestamp: 1531420618,
    secret: "8f742231b10e8888abcd99yyyzzz85a5",
    signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
  };

  test("Slack's documented example verifies", () => {
    const headers = signSlackRequest(example.body, example.secret, example.timestamp);
    assert.equal(headers["x-slack-signature"], example.signature);
    const result = verifySlackSignature({
      headers: new Headers(headers),
      rawBody: example.body,
      signingSecret: example.secret,
      nowMs: example.timestamp * 1000 + 10_000,
    });
    assert.deepEqual(result, { ok: true });
  });

  test("stale or future timestamps are 401; missing or malformed headers 400", () => {
    const body = "payload=%7B%7D";
    const check = (headers: Headers, nowMs = NOW_MS) =>
      verifySlackSignature({ headers, rawBody: body, signingSecret: SECRET, nowMs });
    const old = check(new Headers(signSlackRequest(body, SECRET, NOW_S - 301)));
    assert.equal(!old.ok && old.status, 401);
    const future = check(new Headers(signSlackRequest(body, SECRET, NOW_S + 301)));
    assert.equal(!future.ok && future.status, 401);
    assert.equal(check(new Headers(signSlackRequest(body, SECRET, NOW_S - 299))).ok, true);
    const wrong = check(new Headers(signSlackRequest(body, "another-secret", NOW_S)));
    assert.equal(!wrong.ok && wrong.status, 401);
    assert.ok(!wrong.ok && !wrong.reason.includes(SECRET) && !wrong.reason.includes("v0="));
    const missing = check(new Headers({ "x-slack-request-timestamp": String(NOW_S) }));
    assert.equal(!missing.ok && missing.status, 400);
    const malformed = check(
      new Headers({ "x-slack-request-timestamp": "1e9", "x-slack-signature": "v0=00" }),
    );
    assert.equal(!malformed.ok && malformed.status, 400);
  });

  test("bytes are signed as received: a Uint8Array body verifies like its string", () => {
    const body = "payload=%7B%22type%22%3A%22block_actions%22%7D";
    const headers = new Headers(signSlackRequest(body, SECRET, NOW_S));
    const bytes = new TextEncoder().encode(body);
    assert.equal(
      verifySlackSignature({ headers, rawBody: bytes, signingSecret: SECRET, nowMs: NOW_MS }).ok,
      true,
    );
  });

  test("property: any change to body, timestamp, signature or secret fails", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.constantFrom(..."0123456789abcdefv=:x"),
        fc.constantFrom("body", "timestamp", "signature", "secret"),
        (body, secret, index, replacement, what) => {
          const headers = signSlackRequest(body, secret, NOW_S);
          let rawBody = body;
          let signingSecret = secret;
          if (what === "body") rawBody = `${body}${replacement}`;
          if (what === "secret") signingSecret = `${secret}${replacement}`;
          if (what === "timestamp") headers["x-slack-request-timestamp"] = String(NOW_S - 1 - (index % 200));
          if (what === "signature")
            headers["x-slack-signature"] = tamper(headers["x-slack-signature"], index, replacement);
          const result = verifySlackSignature({
            headers: new Headers(headers),
            rawBody,
            signingSecret,
            nowMs: NOW_MS,
          });
          assert.equal(result.ok, false);
        },
      ),
    );
  });

  test("property: never throws on arbitrary headers and bodies", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 6 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.string(),
        (pairs, timestamp, signature, body) => {
          const all: Array<[string, string]> = [...pairs];
          if (timestamp !== undefined) all.push(["x-slack-request-timestamp", timestamp]);
          if (signature !== undefined) all.push(["x-slack-signature", signature]);
          const result = verifySlackSignature({
            headers: looseHeaders(all),
            rawBody: body,
            signingSecret: SECRET,
            nowMs: NOW_MS,
          });
          assert.equal(result.ok, false);
        },
      ),
    );
  });
});

describe("generic webhook HMAC", () => {
  test("a signed request verifies; the signature is sha256=<hex> over timestamp.body", () => {
    const body = '{"alert":"impossible travel","user":"alice@corp.example"}';
    const headers = signGenericWebhook(body, SECRET, NOW_S);
    assert.match(headers["x-cordon-signature"], /^sha256=[0-9a-f]{64}$/);
    assert.equal(headers["x-cordon-timestamp"], String(NOW_S));
    const result = verifyGenericWebhook({
      headers: new Headers(headers),
      rawBody: body,
      secret: SECRET,
      nowMs: NOW_MS,
    });
    assert.deepEqual(result, { ok: true });
  });

  test("replays outside the window, missing headers and an empty secret are refused", () => {
    const body = "{}";
    const check = (headers: Record<string, string>, secret = SECRET) =>
      verifyGenericWebhook({ headers: new Headers(headers), rawBody: body, secret, nowMs: NOW_MS });
    const stale = check(signGenericWebhook(body, SECRET, NOW_S - 400));
    assert.equal(!stale.ok && stale.status, 401);
    const missing = check({ "x-cordon-signature": "sha256=00" });
    assert.equal(!missing.ok && missing.status, 400);
    assert.equal(check(signGenericWebhook(body, "", NOW_S), "").ok, false);
  });

  test("property: any change to body, timestamp, signature or secret fails", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.constantFrom(..."0123456789abcdefsha=."),
        fc.constantFrom("body", "timestamp", "signature", "secret"),
        (body, secret, index, replacement, what) => {
          const headers = signGenericWebhook(body, secret, NOW_S);
          let rawBody: Uint8Array = body;
          let key = secret;
          if (what === "body") rawBody = Uint8Array.from([...body, replacement.charCodeAt(0)]);
          if (what === "secret") key = `${secret}${replacement}`;
          if (what === "timestamp") headers["x-cordon-timestamp"] = String(NOW_S + 1 + (index % 200));
          if (what === "signature")
            headers["x-cordon-signature"] = tamper(headers["x-cordon-signature"], index, replacement);
          const result = verifyGenericWebhook({
            headers: new Headers(headers),
            rawBody,
            secret: key,
            nowMs: NOW_MS,
          });
          assert.equal(result.ok, false);
        },
      ),
    );
  });

  test("property: never throws on arbitrary headers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 6 }),
        fc.string(),
        (pairs, body) => {
          const result = verifyGenericWebhook({
            headers: looseHeaders([
              ...pairs,
              ["x-cordon-timestamp", pairs[0]?.[1] ?? ""],
              ["x-cordon-signature", pairs[1]?.[1] ?? ""],
            ]),
            rawBody: body,
            secret: SECRET,
            nowMs: NOW_MS,
          });
          assert.equal(result.ok, false);
        },
      ),
    );
  });
});
