import { expect } from "chai";
import { closestName, misspelledVariables } from "../src/index.js";

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

  it("lists the variables of an environment that look like misspellings of known ones, and only those", () => {
    const env = {
      PPOD_STATE_MACHINE_ARM: "x",
      PATH: "/bin",
      WORKSPACE: "dev",
      ALMA_FOWARD_X_TARGET: "y",
      WORKSPCE: "",
    };
    const suggest = (name: string) =>
      name.startsWith("ALMA_FOWARD_") ? name.replace("FOWARD", "FORWARD") : undefined;
    expect(misspelledVariables(env, known, suggest)).to.deep.equal([
      { name: "ALMA_FOWARD_X_TARGET", suggestion: "ALMA_FORWARD_X_TARGET" },
      { name: "PPOD_STATE_MACHINE_ARM", suggestion: "PPOD_STATE_MACHINE_ARN" },
    ]);
  });
});
