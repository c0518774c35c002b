import { expect } from "chai";
import { closestName } from "../src/index.js";

describe("closestName", () => {
  const known = ["PPOD_STATE_MACHINE_ARN", "WORKSPACE", "ALMA_CHALLENGE_SECRET", "SENTRY_DSN"];

  it("names the known variable a misspelling is closest to", () => {
    expect(closestName("PPOD_STATE_MACHINE_ARM", known)).to.equal("PPOD_STATE_MACHINE_ARN");
    expect(closestName("WORKSPCE", known)).to.equal("WORKSPACE");
    expect(closestName("alma_challenge_secret", known)).to.equal("ALMA_CHALLENGE_SECRET");
  });

  it("suggests nothing for a known name, or one too far from every known name", () => {
    expect(closestName("WORKSPACE", known)).to.equal(undefined);
    expect(closestName("HOME", known)).to.equal(undefined);
    expect(closestName("production", ["dev", "stage", "prod"], 3)).to.equal(undefined);
  });
});
