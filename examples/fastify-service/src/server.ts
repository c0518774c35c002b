import { createApp } from "./app.js";
import { LoanDesk } from "./loan-desk.js";

// `pnpm start` with ALMA_CHALLENGE_SECRET set; PORT (default 3000), HOST (default 127.0.0.1).
const app = await createApp({ secret: process.env.ALMA_CHALLENGE_SECRET ?? "", desk: new LoanDesk() });
const host = process.env.HOST ?? "127.0.0.1";
await app.listen({ port: Number(process.env.PORT ?? 3000), host });
const address = app.server.address();
const port = typeof address === "object" && address !== null ? address.port : 0;
console.log(`Alma webhooks on http://${host}:${port}/alma/webhook`);
process.once("SIGTERM", () => void app.close());
