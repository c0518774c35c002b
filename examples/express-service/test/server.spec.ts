import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { expect } from "chai";

describe("pnpm start (dist/src/server.js)", () => {
  it("listens where it says and answers the challenge, until SIGTERM", async () => {
    const server = spawn(process.execPath, [new URL("../src/server.js", import.meta.url).pathname], {
      env: { ...process.env, PORT: "0", ALMA_CHALLENGE_SECRET: "s" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(createInterface({ input: server.stdout }), "line")) as [string];
      const url = /http:\S+/.exec(line)?.[0];
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/alma\/webhook$/);
      const reply = await fetch(`${url}?challenge=up`);
      expect(await reply.text()).to.equal("up");
    } finally {
      server.kill("SIGTERM");
    }
    const [code] = await once(server, "exit");
    expect(code).to.equal(0);
  });
});
