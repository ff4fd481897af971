import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { readSubjectsFile } from "../../src/cli/commands/contain.ts";
import { oktaPolicy } from "../../src/connectors/okta/errors.ts";
import { sameOriginNextLink } from "../../src/connectors/shared/link.ts";
import { slackScimPolicy, slackWebPolicy } from "../../src/connectors/slack/errors.ts";
import { isPlausibleEmail } from "../../src/core/account.ts";
import { isCordonError } from "../../src/core/errors.ts";
import { canonicalJson, hashOf } from "../../src/core/hash.ts";

const dir = mkdtempSync(join(tmpdir(), "cordon-prop-"));

test("canonical JSON does not depend on key order", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
      const reversed = Object.fromEntries(Object.entries(object).reverse());
      assert.equal(canonicalJson(object), canonicalJson(reversed));
      assert.equal(hashOf(object), hashOf(JSON.parse(JSON.stringify(reversed))));
    }),
  );
});

test("a --from file either yields plausible addresses or a CordonError naming a line, never anything else", () => {
  let file = 0;
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.emailAddress(), fc.string(), fc.constant("# note"), fc.constant("")), {
        maxLength: 20,
      }),
      (lines) => {
        const path = join(dir, `from-${file++}.txt`);
        writeFileSync(path, lines.join("\n"));
        try {
          for (const subject of readSubjectsFile(path))
            assert.ok(subject.includes("@") && !/\s/.test(subject));
        } catch (error) {
          assert.ok(isCordonError(error) && error.kind === "invalid_input", String(error));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("email plausibility never throws and refuses whitespace and missing parts", () => {
  fc.assert(fc.property(fc.string(), (s) => void isPlausibleEmail(s)));
  fc.assert(
    fc.property(fc.emailAddress(), (s) => assert.ok(isPlausibleEmail(s) || !s.split("@")[1]?.includes("."))),
  );
  for (const bad of ["", "a", "a@b", "a b@c.d", "<a@b.c>", "a@b.c\nd"])
    assert.equal(isPlausibleEmail(bad), false, bad);
});

test("Link headers: only a same-origin rel=next is followed, whatever the header says", () => {
  const org = "https://acme.okta.com";
  fc.assert(
    fc.property(fc.string(), (header) => {
      try {
        const next = sameOriginNextLink(header, org, "okta");
        if (next) assert.equal(next.origin, org);
      } catch (error) {
        assert.ok(isCordonError(error));
      }
    }),
  );
  assert.equal(
    sameOriginNextLink(
      '<https://acme.okta.com/api/v1/users?after=x>; rel="next"',
      org,
      "okta",
    )?.searchParams.get("after"),
    "x",
  );
  assert.throws(
    () => sameOriginNextLink('<https://evil.example/steal>; rel="next"', org, "okta"),
    /outside the API/,
  );
  assert.equal(sameOriginNextLink('<https://acme.okta.com/api/v1/users>; rel="self"', org, "okta"), null);
});

test("vendor replies of any shape classify without throwing, and messages stay bounded", () => {
  const reply = fc.record({
    status: fc.integer({ min: 100, max: 599 }),
    body: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 5000 })),
    retryAfter: fc.option(fc.string(), { nil: undefined }),
  });
  fc.assert(
    fc.property(reply, ({ status, body, retryAfter }) => {
      const headers = new Headers(
        retryAfter === undefined ? {} : { "retry-after": retryAfter.replace(/[^\x20-\x7e]/g, "") },
      );
      for (const policy of [oktaPolicy, slackWebPolicy, slackScimPolicy]) {
        const error = policy.classify({ status, headers, body }, "GET /x", Date.now());
        if (error) {
          assert.ok(error.message.length < 400, `${policy.vendor}: ${error.message.length} chars`);
          if (error.detail.kind === "rate_limited")
            assert.ok(Number.isFinite(error.detail.retryAfterMs) && error.detail.retryAfterMs >= 0);
        }
      }
    }),
    { numRuns: 500 },
  );
});
