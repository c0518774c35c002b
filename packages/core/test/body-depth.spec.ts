import { expect } from "chai";
import { handleLambdaEvent } from "../src/adapters/lambda.js";
import { createWebhookRouter, type ExecutionDispatcher } from "../src/index.js";
import { signedPost } from "../src/testing/index.js";

describe("a signed body nested too deep to handle", () => {
  const dispatcher: ExecutionDispatcher = { start: async () => ({ status: "started", deliveredTo: "x" }) };
  const router = createWebhookRouter({ secrets: ["s"], workspace: "dev", plugins: [], dispatcher });

  it("is answered 400 naming the depth when it is JSON 200,000 levels deep", async () => {
    const deep = `{"action":"LOAN","x":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const response = await handleLambdaEvent(router, signedPost(deep, "s"));
    expect(response.statusCode).to.equal(400);
    expect(response.body).to.equal(
      "Malformed webhook body. The body nests more than 64 levels deep; Alma's webhooks nest a few.",
    );
  });

  it("is answered 400 when it is XML 50,000 levels deep", async () => {
    const xml = `<webhook><action>LOAN</action>${"<a>".repeat(50_000)}${"</a>".repeat(50_000)}</webhook>`;
    const response = await handleLambdaEvent(
      router,
      signedPost(xml, "s", { headers: { "content-type": "application/xml" } }),
    );
    expect(response.statusCode).to.equal(400);
  });

  it("still takes a body 64 levels deep", async () => {
    const body = `{"action":"LOAN","x":${"[".repeat(62)}${"]".repeat(62)}}`;
    expect((await handleLambdaEvent(router, signedPost(body, "s"))).statusCode).to.equal(200);
  });
});
