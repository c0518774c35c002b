import { Match } from "aws-cdk-lib/assertions";
import { expect } from "chai";
import { JOB_ID_PLACEHOLDER, JOB_NAME_PLACEHOLDER } from "../src/observability.js";
import { synth } from "./fixtures.js";

type Template = ReturnType<typeof synth>["template"];
interface Widget {
  type: string;
  properties: { title: string; metrics?: unknown[][]; query?: string };
}

/** The dashboard's widgets, with each reference to a resource written `<LogicalId>`. */
function widgets(template: Template): Widget[] {
  const [dashboard] = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
  const parts = dashboard?.Properties.DashboardBody["Fn::Join"][1] as unknown[];
  const body = parts
    .map((part) => (typeof part === "string" ? part : `<${(part as { Ref: string }).Ref}>`))
    .join("");
  return (JSON.parse(body) as { widgets: Widget[] }).widgets;
}

const widget = (template: Template, title: RegExp) => {
  const found = widgets(template).find((w) => title.test(w.properties.title));
  expect(found, `a widget titled ${title}`).not.to.equal(undefined);
  return found as Widget;
};

const functionId = (template: Template) =>
  Object.keys(
    template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
  )[0];
const logGroupId = (template: Template) =>
  Object.keys(template.findResources("AWS::Logs::LogGroup")).find((id) => id.includes("WebhookLogs"));

describe("observability", () => {
  describe("dashboard", () => {
    it("is one dashboard named after the stack", () => {
      const { template } = synth();
      template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
      template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "Test" });
    });

    it("graphs webhooks by decision: every outcome of the Decisions metric, by SEARCH", () => {
      const { metrics } = widget(synth().template, /by decision/).properties;
      expect(metrics).to.deep.equal([
        [
          {
            expression: `SEARCH('{"AlmaWebhooks",outcome,service} MetricName="Decisions" service="alma-webhooks"', 'Sum', 300)`,
            label: `\${PROP('Dim.outcome')}`, // CloudWatch's dynamic label: each series named by its outcome
          },
        ],
      ]);
    });

    it("graphs pipelines started and messages forwarded by plugin or route, with the failed dispatches", () => {
      const { metrics } = widget(synth().template, /started and messages forwarded/).properties;
      expect(JSON.stringify(metrics)).to.contain(
        `SEARCH('{\\"AlmaWebhooks\\",plugin,decision,service} MetricName=\\"PluginDecisions\\" decision=\\"started\\" service=\\"alma-webhooks\\"', 'Sum', 300)`,
      );
      expect(metrics?.[1]?.slice(0, 4)).to.deep.equal([
        "AlmaWebhooks",
        "DispatchFailures",
        "service",
        "alma-webhooks",
      ]);
    });

    it("graphs the Function URL's 4xx and 5xx answers and the duration p99 of the webhook function", () => {
      const { template } = synth();
      const fn = `<${functionId(template)}>`;
      expect(widget(template, /4xx and 5xx/).properties.metrics).to.deep.equal([
        ["AWS/Lambda", "Url4xxCount", "FunctionName", fn, { label: "4xx", stat: "Sum" }],
        ["AWS/Lambda", "Url5xxCount", "FunctionName", fn, { label: "5xx", stat: "Sum" }],
      ]);
      expect(widget(template, /Duration p99/).properties.metrics).to.deep.equal([
        ["AWS/Lambda", "Duration", "FunctionName", fn, { label: "p99", stat: "p99" }],
      ]);
    });

    it("graphs secret-read failures (outcome secret-unavailable) next to signature failures", () => {
      const { metrics } = widget(synth().template, /Secret-read failures/).properties;
      expect(metrics?.map((metric) => metric.slice(0, -1))).to.deep.equal([
        ["AlmaWebhooks", "Decisions", "outcome", "secret-unavailable", "service", "alma-webhooks"],
        ["AlmaWebhooks", "SignatureFailures", "service", "alma-webhooks"],
      ]);
    });

    it("follows the namespace and service the function emits under", () => {
      const template = synth({ metricsNamespace: "Library/Webhooks", serviceName: "alma-dev" }).template;
      const text = JSON.stringify(widgets(template));
      expect(text).to.contain('{\\"Library/Webhooks\\",outcome,service}');
      expect(text).to.contain('service=\\"alma-dev\\"');
      expect(text).not.to.match(/\\?"AlmaWebhooks\\?"|alma-webhooks/); // neither default is left
    });

    it("lists the latest webhooks answered 5xx from the function's log group", () => {
      const { template } = synth();
      const { query } = widget(template, /answered 5xx/).properties;
      expect(query).to.match(new RegExp(`^SOURCE '<${logGroupId(template)}>' \\| fields @timestamp`));
      expect(query).to.contain('filter message = "webhook decision"\n| filter statusCode >= 500');
    });
  });

  describe("saved Logs Insights queries", () => {
    it("saves 'what happened to job X' on the webhook's log group: its decision lines by job id or name", () => {
      const { template } = synth();
      template.resourceCountIs("AWS::Logs::QueryDefinition", 2);
      template.hasResourceProperties("AWS::Logs::QueryDefinition", {
        Name: "Test/What happened to job X",
        LogGroupNames: [{ Ref: logGroupId(template) }],
        QueryString: [
          "fields @timestamp, outcome, statusCode, action, event, jobId, jobName, plugins.0.plugin, plugins.0.decision, plugins.0.executionArn, plugins.0.error, reason, error, requestId",
          '| filter message = "webhook decision"',
          `| filter jobId = "${JOB_ID_PLACEHOLDER}" or jobName like /(?i)${JOB_NAME_PLACEHOLDER}/`,
          "| sort @timestamp asc",
          "| limit 1000",
        ].join("\n"),
      });
    });

    it("saves 'webhooks answered 5xx' on the same log group", () => {
      const { template } = synth();
      template.hasResourceProperties("AWS::Logs::QueryDefinition", {
        Name: "Test/Webhooks answered 5xx",
        LogGroupNames: [{ Ref: logGroupId(template) }],
        QueryString: Match.stringLikeRegexp(
          'filter message = "webhook decision"\n\\| filter statusCode >= 500\n\\| sort @timestamp desc',
        ),
      });
    });
  });
});
