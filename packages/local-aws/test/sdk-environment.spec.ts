import { existsSync } from "node:fs";
import { expect } from "chai";
import { pointSdkAt } from "../src/sdk-environment.js";

describe("pointSdkAt", () => {
  it("points every service's endpoint at the URL with a region, test credentials and no shared files, and puts all back", () => {
    const before = { ...process.env };
    process.env.AWS_REGION = "eu-west-1";
    delete process.env.AWS_ENDPOINT_URL_SQS;
    const restore = pointSdkAt("http://127.0.0.1:4999");
    for (const service of ["SFN", "SQS", "EVENTBRIDGE", "SECRETS_MANAGER", "SSM"])
      expect(process.env[`AWS_ENDPOINT_URL_${service}`], service).to.equal("http://127.0.0.1:4999");
    expect(process.env).to.include({
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    // Nothing of the developer's shared files: both point where nothing is.
    expect(existsSync(String(process.env.AWS_CONFIG_FILE))).to.equal(false);
    expect(existsSync(String(process.env.AWS_SHARED_CREDENTIALS_FILE))).to.equal(false);
    restore();
    expect(process.env.AWS_REGION).to.equal("eu-west-1");
    expect(process.env).to.not.have.property("AWS_ENDPOINT_URL_SQS");
    if (before.AWS_REGION === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = before.AWS_REGION;
    expect(process.env).to.deep.equal(before);
  });
});
