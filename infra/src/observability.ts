import {
  aws_cloudwatch as cloudwatch,
  Duration,
  type aws_lambda as lambda,
  aws_logs as logs,
} from "aws-cdk-lib";
import { Construct } from "constructs";

/** The one line the router logs per request (core's `logDecision`, through Powertools' JSON logger). */
const DECISION = 'message = "webhook decision"';

/** The decision line's fields worth a column: the rest (every plugin, the request) shows in each row. */
const DECISION_FIELDS = [
  "@timestamp",
  "outcome",
  "statusCode",
  "action",
  "event",
  "jobId",
  "jobName",
  "plugins.0.plugin",
  "plugins.0.decision",
  "plugins.0.executionArn",
  "plugins.0.error",
  "reason",
  "error",
  "requestId",
];

/** Placeholders an operator replaces in the saved query before running it (Logs Insights has no parameters). */
export const JOB_ID_PLACEHOLDER = "REPLACE_WITH_JOB_ID";
export const JOB_NAME_PLACEHOLDER = "REPLACE_WITH_JOB_NAME";

/** "What happened to job X": every decision about an Alma job instance id, or a job name (case-insensitive). */
export const JOB_QUERY = new logs.QueryString({
  fields: DECISION_FIELDS,
  filterStatements: [
    DECISION,
    `jobId = "${JOB_ID_PLACEHOLDER}" or jobName like /(?i)${JOB_NAME_PLACEHOLDER}/`,
  ],
  sort: "@timestamp asc",
  limit: 1000,
});

/** Webhooks answered 5xx (Alma retries those after 1, 3 and 6 hours): transient dispatch failures, secrets unreadable, bugs. */
export const SERVER_ERROR_QUERY = new logs.QueryString({
  fields: DECISION_FIELDS,
  filterStatements: [DECISION, "statusCode >= 500"],
  sort: "@timestamp desc",
  limit: 1000,
});

export interface WebhookObservabilityProps {
  readonly webhookFunction: lambda.Function;
  readonly logGroup: logs.ILogGroup;
  /** Where the function's Powertools metrics are: `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`. */
  readonly namespace: string;
  readonly service: string;
  /** Names the dashboard and the saved queries' folder. */
  readonly name: string;
}

/**
 * A CloudWatch dashboard of the webhook (decisions, pipelines started, 4xx/5xx answers, duration p99, secret
 * failures, webhooks not delivered by reason, the latest 5xx) and saved Logs Insights queries on its log group.
 */
export class WebhookObservability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly jobQuery: logs.QueryDefinition;
  readonly serverErrorQuery: logs.QueryDefinition;

  constructor(scope: Construct, id: string, props: WebhookObservabilityProps) {
    super(scope, id);
    const { webhookFunction: fn, namespace, service } = props;
    const period = Duration.minutes(5);
    const powertools = (metricName: string, dimensions: Record<string, string>, label: string) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { service, ...dimensions },
        statistic: cloudwatch.Stats.SUM,
        period,
        label,
      });
    // Outcomes and plugins are dimension values the function chooses at run time: SEARCH finds them all.
    const search = (metricName: string, dimension: string, filter: Record<string, string> = {}) => {
      const schema = [JSON.stringify(namespace), dimension, ...Object.keys(filter), "service"].join(",");
      const terms = Object.entries({ MetricName: metricName, ...filter, service }).map(
        ([key, value]) => `${key}=${JSON.stringify(value)}`,
      );
      return new cloudwatch.MathExpression({
        expression: `SEARCH('{${schema}} ${terms.join(" ")}', 'Sum', ${period.toSeconds()})`,
        usingMetrics: {},
        // CloudWatch's dynamic label: each series is named by its dimension value.
        label: `\${PROP('Dim.${dimension}')}`,
        period,
      });
    };

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: props.name,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Webhooks by decision",
        left: [search("Decisions", "outcome")],
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Pipelines started and messages forwarded, by plugin or route",
        left: [
          search("PluginDecisions", "plugin", { decision: "started" }),
          powertools("DispatchFailures", {}, "failed (all)"),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Answers 4xx and 5xx (Function URL)",
        left: [
          fn.metric("Url4xxCount", { statistic: cloudwatch.Stats.SUM, period, label: "4xx" }),
          fn.metric("Url5xxCount", { statistic: cloudwatch.Stats.SUM, period, label: "5xx" }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "Duration p99",
        left: [fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period, label: "p99" })],
        leftAnnotations: fn.timeout
          ? [{ value: fn.timeout.toMilliseconds(), label: "timeout", color: cloudwatch.Color.RED }]
          : [],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "Secret-read failures (503) and signature failures (401)",
        left: [
          powertools("Decisions", { outcome: "secret-unavailable" }, "secret unreadable"),
          powertools("SignatureFailures", {}, "signature failures"),
        ],
        width: 8,
      }),
    );
    // Contract C1: WebhooksNotDelivered carries [service, reason] when a webhook was not delivered.
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Webhooks not delivered, by reason",
        left: [search("WebhooksNotDelivered", "reason")],
        stacked: true,
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: "Latest webhooks answered 5xx",
        logGroupNames: [props.logGroup.logGroupName],
        queryString: SERVER_ERROR_QUERY.toString(),
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: 24,
      }),
    );

    this.jobQuery = new logs.QueryDefinition(this, "JobQuery", {
      queryDefinitionName: `${props.name}/What happened to job X`,
      queryString: JOB_QUERY,
      logGroups: [props.logGroup],
    });
    this.serverErrorQuery = new logs.QueryDefinition(this, "ServerErrorQuery", {
      queryDefinitionName: `${props.name}/Webhooks answered 5xx`,
      queryString: SERVER_ERROR_QUERY,
      logGroups: [props.logGroup],
    });
  }
}
