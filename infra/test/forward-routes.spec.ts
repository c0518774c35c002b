import { expect } from "chai";
import { InfraConfigurationError } from "../src/alma-webhooks.js";
import { readConfiguration } from "../src/configuration.js";
import type { ForwardRoute } from "../src/forward-routes.js";
import { fakePlugins, policyStatements, synth } from "./fixtures.js";

const QUEUE = "arn:aws:sqs:eu-west-1:111122223333:alma-circulation.fifo";
const BUS = "arn:aws:events:eu-west-1:111122223333:event-bus/alma-bibs";
const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROUTES: ForwardRoute[] = [
  { name: "CIRCULATION", target: QUEUE, events: "LOAN:LOAN_CREATED,REQUEST", institutions: "01PRI_INST" },
  { name: "BIBS", target: BUS, events: "BIB" },
];

const actionsOn = (template: ReturnType<typeof synth>["template"]) =>
  policyStatements(template).filter((statement) =>
    statement.Action.some((action) => /^(sqs|events|kms):/.test(action)),
  );

describe("forward routes", () => {
  it("allows sqs:SendMessage and events:PutEvents on exactly the routes' targets, and no KMS without a key", () => {
    const { template } = synth({ forwardRoutes: ROUTES });
    expect(actionsOn(template)).to.deep.equal([
      { Action: ["sqs:SendMessage"], Resource: [QUEUE] },
      { Action: ["events:PutEvents"], Resource: [BUS] },
    ]);
  });

  it("allows GenerateDataKey and Decrypt on a queue's key only when one is configured", () => {
    const routes = ROUTES.map((route) =>
      route.name === "CIRCULATION" ? { ...route, kmsKeyArn: KEY } : route,
    );
    const kms = actionsOn(synth({ forwardRoutes: routes }).template).filter((s) =>
      s.Action[0]?.startsWith("kms:"),
    );
    expect(kms).to.deep.equal([{ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [KEY] }]);
  });

  it("grants nothing to forward with when no route is configured", () => {
    expect(actionsOn(synth().template)).to.deep.equal([]);
  });

  it("passes each route's variables to the function as it reads them", () => {
    const { template } = synth({ forwardRoutes: ROUTES });
    const [webhook] = Object.values(
      template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
    );
    expect(webhook?.Properties.Environment.Variables).to.deep.include({
      ALMA_FORWARD_CIRCULATION_TARGET: QUEUE,
      ALMA_FORWARD_CIRCULATION_EVENTS: "LOAN:LOAN_CREATED,REQUEST",
      ALMA_FORWARD_CIRCULATION_INSTITUTIONS: "01PRI_INST",
      ALMA_FORWARD_BIBS_TARGET: BUS,
      ALMA_FORWARD_BIBS_EVENTS: "BIB",
    });
  });

  it("rejects, listing every problem, a target of another kind, an empty event list, a bad name and a key for a bus", () => {
    const build = () =>
      synth({
        forwardRoutes: [
          { name: "TOPIC", target: "arn:aws:sns:eu-west-1:111122223333:alma", events: "BIB" },
          { name: "EMPTY", target: QUEUE, events: " " },
          { name: "lower", target: QUEUE, events: "LOAN" },
          { name: "KEYED", target: BUS, events: "BIB", kmsKeyArn: KEY },
        ],
      });
    expect(build).to.throw(
      InfraConfigurationError,
      /TOPIC_TARGET is not an SQS queue[\s\S]*EMPTY_EVENTS is empty[\s\S]*'lower'[\s\S]*KMS_KEY_ARN is for a queue target only/,
    );
  });

  it("reads the routes from ALMA_FORWARD_<ROUTE>_* of the environment or the context", () => {
    const env: Record<string, string> = {
      ALMA_FORWARD_BIBS_TARGET: BUS,
      ALMA_FORWARD_BIBS_EVENTS: "BIB",
      ALMA_FORWARD_CIRCULATION_TARGET: QUEUE,
      ALMA_FORWARD_CIRCULATION_EVENTS: "LOAN",
      ALMA_FORWARD_CIRCULATION_KMS_KEY_ARN: KEY,
    };
    const configuration = readConfiguration((name) => env[name], fakePlugins, Object.keys(env));
    expect(configuration.forwardRoutes).to.deep.equal([
      { name: "BIBS", target: BUS, events: "BIB" },
      { name: "CIRCULATION", target: QUEUE, events: "LOAN", kmsKeyArn: KEY },
    ]);
  });
});
