import { expect } from "chai";
import { isTransient, NETWORK_ERROR_CODES, THROTTLING_NAMES } from "../src/index.js";

describe("THROTTLING_NAMES", () => {
  it("holds the SDK's throttling names, each of them transient by name alone", () => {
    expect(THROTTLING_NAMES.size).to.equal(14);
    for (const name of ["ThrottlingException", "TooManyRequestsException", "SlowDown", "Throttling"])
      expect(THROTTLING_NAMES.has(name), name).to.equal(true);
    for (const name of THROTTLING_NAMES) expect(isTransient({ name }), name).to.equal(true);
  });

  it("does not hold the names that are transient for other reasons, nor a refusal", () => {
    for (const name of [
      "KmsThrottlingException",
      "ServiceUnavailable",
      "TimeoutError",
      "AccessDeniedException",
    ])
      expect(THROTTLING_NAMES.has(name), name).to.equal(false);
    expect(isTransient({ name: "AccessDeniedException" })).to.equal(false);
  });
});

describe("NETWORK_ERROR_CODES", () => {
  it("holds the SDK's network codes, each transient, and isTransient takes ECONNABORTED besides", () => {
    expect([...NETWORK_ERROR_CODES].sort()).to.deep.equal([
      "EAI_AGAIN",
      "ECONNREFUSED",
      "ECONNRESET",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "ENOTFOUND",
      "EPIPE",
      "ETIMEDOUT",
    ]);
    for (const code of NETWORK_ERROR_CODES) expect(isTransient({ name: "Error", code }), code).to.equal(true);
    expect(NETWORK_ERROR_CODES.has("ECONNABORTED")).to.equal(false);
    expect(isTransient({ name: "Error", code: "ECONNABORTED" })).to.equal(true);
  });
});
