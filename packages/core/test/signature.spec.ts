import { createHmac } from "node:crypto";
import { expect } from "chai";
import sinon from "sinon";
import { constantTimeEqual, signBody, verifySignature } from "../src/signature.js";

describe("signature", () => {
  const body = Buffer.from('{"action":"JOB_END"}');

  describe("signBody", () => {
    it("is base64 of HMAC-SHA256 over the raw bytes", () => {
      const expected = createHmac("sha256", "itsasecret").update(body).digest("base64");
      expect(signBody(body, "itsasecret")).to.equal(expected);
    });

    it("gives the same signature for a string and its UTF-8 bytes", () => {
      const text = '{"name":"Dév1 東京"}';
      expect(signBody(text, "s")).to.equal(signBody(Buffer.from(text, "utf8"), "s"));
    });
  });

  describe("verifySignature", () => {
    it("accepts the right signature", () => {
      expect(verifySignature(body, signBody(body, "s1"), ["s1"])).to.equal(true);
    });

    it("accepts a signature made with any active secret (rotation)", () => {
      expect(verifySignature(body, signBody(body, "old"), ["new", "old"])).to.equal(true);
      expect(verifySignature(body, signBody(body, "new"), ["new", "old"])).to.equal(true);
    });

    it("refuses a signature made with a retired secret", () => {
      expect(verifySignature(body, signBody(body, "retired"), ["new", "old"])).to.equal(false);
    });

    it("refuses a missing or empty signature", () => {
      expect(verifySignature(body, undefined, ["s1"])).to.equal(false);
      expect(verifySignature(body, "", ["s1"])).to.equal(false);
    });

    it("refuses a signature over other bytes (a re-encoded body)", () => {
      const reencoded = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
      expect(verifySignature(body, signBody(reencoded, "s1"), ["s1"])).to.equal(false);
    });

    it("tolerates surrounding whitespace in the header", () => {
      expect(verifySignature(body, ` ${signBody(body, "s1")} `, ["s1"])).to.equal(true);
    });

    it("compares with the constant-time comparison, once per secret, whatever the length or content", () => {
      const right = signBody(body, "s1");
      const candidates = ["x", right.slice(0, -2), `${right}AAAA`, `A${right.slice(1)}`, right];
      for (const candidate of candidates) {
        const compare = sinon.spy(constantTimeEqual);
        verifySignature(body, candidate, ["s0", "s1", "s2"], { compare });
        expect(compare.callCount, candidate).to.equal(3);
      }
    });

    it("keeps comparing the remaining secrets after a match", () => {
      const compare = sinon.spy(constantTimeEqual);
      expect(verifySignature(body, signBody(body, "first"), ["first", "second"], { compare })).to.equal(true);
      expect(compare.callCount).to.equal(2);
    });
  });

  describe("constantTimeEqual", () => {
    it("is true only for identical strings", () => {
      expect(constantTimeEqual("abc", "abc")).to.equal(true);
      expect(constantTimeEqual("abc", "abd")).to.equal(false);
      expect(constantTimeEqual("abc", "abcd")).to.equal(false);
      expect(constantTimeEqual("", "a")).to.equal(false);
    });
  });
});
