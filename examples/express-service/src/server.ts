import { createApp, limitServer } from "./app.js";
import { LoanDesk } from "./loan-desk.js";

// `pnpm start` with ALMA_CHALLENGE_SECRET set; PORT (default 3000), HOST (default 127.0.0.1).
const app = createApp({ secret: process.env.ALMA_CHALLENGE_SECRET ?? "", desk: new LoanDesk() });
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const server = limitServer(
  app.listen(port, host, () => {
    const address = server.address();
    const bound = typeof address === "object" && address !== null ? address.port : port;
    console.log(`Alma webhooks on http://${host}:${bound}/alma/webhook`);
  }),
);
process.once("SIGTERM", () => server.close());
