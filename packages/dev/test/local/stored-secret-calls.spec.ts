import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { getStoredSecret, putStoredSecret } from "../../src/local/stored-secret-calls.js";

interface Seen {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

describe("the local endpoint's stored-secret calls", () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        seen.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        response.end("{}");
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  beforeEach(() => {
    seen.length = 0;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  const only = (): Seen => {
    expect(seen).to.have.length(1);
    expect(seen[0]?.headers["content-type"]).to.equal("application/x-amz-json-1.1");
    return seen[0] as Seen;
  };

  it("reads an SSM parameter with decryption, and a Secrets Manager secret by its id", async () => {
    await getStoredSecret(url, { store: "ssm", id: "/alma/webhook-secret" });
    const ssm = only();
    expect(ssm.headers["x-amz-target"]).to.equal("AmazonSSM.GetParameter");
    expect(ssm.body).to.deep.equal({ Name: "/alma/webhook-secret", WithDecryption: true });
    seen.length = 0;
    await getStoredSecret(url, {
      store: "secrets-manager",
      id: "arn:aws:secretsmanager:us-east-1:1:secret:s",
    });
    const secret = only();
    expect(secret.headers["x-amz-target"]).to.equal("secretsmanager.GetSecretValue");
    expect(secret.body).to.deep.equal({ SecretId: "arn:aws:secretsmanager:us-east-1:1:secret:s" });
  });

  it("writes an SSM parameter over the old value, and a Secrets Manager secret's new value", async () => {
    await putStoredSecret(url, { store: "ssm", id: "/alma/webhook-secret" }, "new-value");
    const ssm = only();
    expect(ssm.headers["x-amz-target"]).to.equal("AmazonSSM.PutParameter");
    expect(ssm.body).to.deep.equal({ Name: "/alma/webhook-secret", Value: "new-value", Overwrite: true });
    seen.length = 0;
    await putStoredSecret(url, { store: "secrets-manager", id: "s" }, "new-value");
    const secret = only();
    expect(secret.headers["x-amz-target"]).to.equal("secretsmanager.PutSecretValue");
    expect(secret.body).to.deep.equal({ SecretId: "s", SecretString: "new-value" });
  });
});
