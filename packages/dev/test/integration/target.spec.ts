import { expect } from "chai";
import { chooseTarget } from "./target.js";

describe("integration target choice", () => {
  it("runs against the local server by default and in CI", () => {
    expect(chooseTarget({})).to.equal("local");
    expect(chooseTarget({ WORKSPACE: "dev" })).to.equal("local");
    expect(chooseTarget({ AWS_PROFILE: "dev" })).to.equal("local");
  });

  it("runs against the deployed dev stage with WORKSPACE=dev and AWS credentials", () => {
    expect(chooseTarget({ WORKSPACE: "dev", AWS_PROFILE: "dev" })).to.equal("deployed");
    expect(chooseTarget({ WORKSPACE: "Dev", AWS_ACCESS_KEY_ID: "AKIA..." })).to.equal("deployed");
    expect(chooseTarget({ WORKSPACE: "stage", AWS_PROFILE: "stage" })).to.equal("local");
  });

  it("obeys ALMA_INTEGRATION_TARGET", () => {
    expect(chooseTarget({ WORKSPACE: "dev", AWS_PROFILE: "dev", ALMA_INTEGRATION_TARGET: "local" })).to.equal(
      "local",
    );
    expect(chooseTarget({ ALMA_INTEGRATION_TARGET: "deployed" })).to.equal("deployed");
  });
});
