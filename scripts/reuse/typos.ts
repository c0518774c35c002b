// Each line below must fail to compile, with the error named in its comment (scripts/check-reuse.mjs).
import { createWebhooks } from "@alma-webhooks/core";

const webhooks = createWebhooks({ secret: "itsasecret" });
webhooks.on("LOAN.LOAN_CRATED", () => {}); // TS2345: a misspelled event
webhooks.on("LAON.LOAN_CREATED", () => {}); // TS2345: a misspelled action
webhooks.on("LOAN.LOAN_CREATED", ({ payload }) => payload.item_lona); // TS2551 (TS2339 with "did you mean"): a misspelled field
