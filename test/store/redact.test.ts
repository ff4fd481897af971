import assert from "node:assert/strict";
import { test } from "node:test";
import { REDACTED, redactSecrets } from "../../src/store/redact.ts";

test("secret keys are redacted at any depth, whatever the value's type", () => {
  const input = {
    token: "SSWS abc",
    Authorization: "anything",
    api_key: 123,
    apiKey: { nested: "object" },
    "x-api-key": ["a", "b"],
    clientSecret: "s",
    session_token: "t",
    cookie: "sid=1",
    privateKey: "-----BEGIN",
    credentials: { password: { value: "hunter2" }, provider: { type: "OKTA" } },
    resetPasswordUrl: "https://corp.okta.com/reset_password/abc",
    tempPassword: "Tmp1",
    activationUrl: "https://corp.okta.com/welcome/xyz",
    activationToken: "xyz",
    list: [{ refresh_token: "r" }, "plain"],
    status: "ACTIVE",
  };
  assert.deepEqual(redactSecrets(input), {
    token: REDACTED,
    Authorization: REDACTED,
    api_key: REDACTED,
    apiKey: REDACTED,
    "x-api-key": REDACTED,
    clientSecret: REDACTED,
    session_token: REDACTED,
    cookie: REDACTED,
    privateKey: REDACTED,
    credentials: { password: REDACTED, provider: { type: "OKTA" } },
    resetPasswordUrl: REDACTED,
    tempPassword: REDACTED,
    activationUrl: REDACTED,
    activationToken: REDACTED,
    list: [{ refresh_token: REDACTED }, "plain"],
    status: "ACTIVE",
  });
  assert.equal(input.token, "SSWS abc", "the input is not modified");
});

test("token collections keep which tokens they list, not their secrets", () => {
  // The snapshot of okta.revoke_user_api_tokens: the ledger must say which tokens were revoked.
  assert.deepEqual(
    redactSecrets({
      tokens: [
        { id: "00T1", name: "ci" },
        { id: "00T2", token: "raw", clientSecret: "s" },
        "raw-token",
        7,
        null,
      ],
      refresh_tokens: "opaque",
      apiTokens: { id: "00T3" },
    }),
    {
      tokens: [
        { id: "00T1", name: "ci" },
        { id: "00T2", token: REDACTED, clientSecret: REDACTED },
        REDACTED,
        REDACTED,
        null,
      ],
      refresh_tokens: REDACTED,
      apiTokens: REDACTED,
    },
  );
});

test("booleans and null under secret keys are kept: they cannot carry a secret", () => {
  assert.deepEqual(redactSecrets({ revokeTokens: true, password: null, hasSecret: false }), {
    revokeTokens: true,
    password: null,
    hasSecret: false,
  });
});

test("credentials recognised by shape are redacted inside any string", () => {
  const cases: [string, string][] = [
    ["header was SSWS 00aBcD-ef_gh.ij and more", `header was SSWS ${REDACTED} and more`],
    ["Bearer abcdefgh123", `Bearer ${REDACTED}`],
    ["Basic dXNlcjpwYXNzd29yZDEyMw==", `Basic ${REDACTED}`],
    ["Basic information about the user", "Basic information about the user"],
    ["slack xoxb-123456-abcdef said", `slack ${REDACTED} said`],
    ["xapp-1-A0-123-abc", REDACTED],
    ["ghp_0123456789abcdefghijABCDEFGHIJ", REDACTED],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", `jwt ${REDACTED}`],
    [
      "https://x.example/cb?code=abc&state=1&access_token=t0k#id_token=zz",
      `https://x.example/cb?code=${REDACTED}&state=1&access_token=${REDACTED}#id_token=${REDACTED}`,
    ],
    ["https://x.example/path?page=2", "https://x.example/path?page=2"],
    ["alice@corp.example", "alice@corp.example"],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
  assert.deepEqual(redactSecrets({ reason: "token was Bearer abcdefgh123" }), {
    reason: `token was Bearer ${REDACTED}`,
  });
});

test("non-objects pass through; cycles do not hang", () => {
  assert.equal(redactSecrets(42), 42);
  assert.equal(redactSecrets(null), null);
  assert.equal(redactSecrets(undefined), undefined);
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic["self"] = cyclic;
  assert.deepEqual(redactSecrets(cyclic), { a: 1, self: "[Circular]" });
  const shared = { v: 1 };
  assert.deepEqual(redactSecrets([shared, shared]), [{ v: 1 }, { v: 1 }], "a repeated object is not a cycle");
});

test("identifiers of secrets are kept (an audit must say which token), credential-shaped values still are not", () => {
  const out = redactSecrets({
    token_id: "00T1a2b3c4",
    tokenId: "00T9z8y7",
    apiTokenIds: ["00Tx", "00Ty"],
    token: "00abcdefSECRET",
    session_token_id: "Bearer abcdef123456",
  }) as Record<string, unknown>;
  assert.equal(out.token_id, "00T1a2b3c4");
  assert.equal(out.tokenId, "00T9z8y7");
  assert.deepEqual(out.apiTokenIds, ["00Tx", "00Ty"]);
  assert.equal(out.token, "[REDACTED]");
  assert.equal(out.session_token_id, "Bearer [REDACTED]");
});
