import { expect } from "chai";
import { loadForwardRoutes, ROUTE_VARIABLES, routeVariableSuggestion, routeVariables } from "../src/index.js";

const QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";

describe("loadForwardRoutes: ALMA_FORWARD_<ROUTE>_* into forward plugins", () => {
  it("makes one active route per TARGET and EVENTS pair, in name order", () => {
    const { routes, problems, warnings } = loadForwardRoutes(
      {
        ALMA_FORWARD_LOANS_TARGET: QUEUE,
        ALMA_FORWARD_LOANS_EVENTS: "LOAN:LOAN_CREATED",
        ALMA_FORWARD_BIBS_TARGET: "arn:aws:events:us-east-1:123456789012:event-bus/alma",
        ALMA_FORWARD_BIBS_EVENTS: "BIB",
      },
      new Set(),
    );
    expect(routes.map((route) => [route.name, route.problems])).to.deep.equal([
      ["BIBS", undefined],
      ["LOANS", undefined],
    ]);
    expect([problems, warnings]).to.deep.equal([[], []]);
  });

  it("names each variable at fault: a bad route name, a plugin's name, a missing half, a stray variable", () => {
    const { routes, problems, warnings } = loadForwardRoutes(
      {
        ALMA_FORWARD_bad_TARGET: QUEUE,
        ALMA_FORWARD_PPOD_TARGET: QUEUE,
        ALMA_FORWARD_LOANS_TARGET: QUEUE,
        ALMA_FORWARD_BIBS_EVENTS: "BIB",
        ALMA_FORWARD_LOANS_QUEUE: "x",
      },
      new Set(["PPOD"]),
    );
    expect(problems).to.have.length(4);
    expect(problems.join("\n")).to.include("ALMA_FORWARD_bad_TARGET").and.include("ALMA_FORWARD_PPOD_TARGET");
    expect(problems.join("\n")).to.include("ALMA_FORWARD_LOANS_EVENTS is not set");
    expect(problems.join("\n")).to.include("ALMA_FORWARD_BIBS_TARGET is not set");
    expect(warnings).to.deep.equal([
      "ALMA_FORWARD_LOANS_QUEUE is not a forward route variable (ALMA_FORWARD_<ROUTE>_TARGET, _EVENTS or _INSTITUTIONS): ignored.",
    ]);
    // The route without a target stays, broken: the webhooks it claims are answered 500, never lost.
    expect(routes.map((route) => [route.name, route.problems?.length])).to.deep.equal([["BIBS", 1]]);
  });

  it("warns about a standard queue and a job end that cannot fire in this workspace", () => {
    const { warnings, problems } = loadForwardRoutes(
      {
        WORKSPACE: "dev",
        ALMA_FORWARD_JOBS_TARGET: "arn:aws:sqs:us-east-1:123456789012:alma-events",
        ALMA_FORWARD_JOBS_EVENTS: "JOB_END:Export to Prod1",
      },
      new Set(),
    );
    expect(problems).to.deep.equal([]);
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.include("can never fire here");
    expect(warnings[1]).to.include("standard queue");
  });

  it("keeps a malformed entry claiming what it could mean, the route broken, and reports it", () => {
    const { routes, problems } = loadForwardRoutes(
      { ALMA_FORWARD_LOANS_TARGET: QUEUE, ALMA_FORWARD_LOANS_EVENTS: "LOAN:" },
      new Set(),
    );
    expect(problems).to.have.length(1);
    expect(routes[0]?.plugin.actions).to.deep.equal(["LOAN"]);
    expect(routes[0]?.problems).to.have.length(1);
  });

  it("names a route's variables and suggests the one a misspelling meant", () => {
    expect(routeVariables("LOANS")).to.deep.equal({
      TARGET: "ALMA_FORWARD_LOANS_TARGET",
      EVENTS: "ALMA_FORWARD_LOANS_EVENTS",
      INSTITUTIONS: "ALMA_FORWARD_LOANS_INSTITUTIONS",
    });
    expect(Object.keys(ROUTE_VARIABLES)).to.have.length(3);
    expect(routeVariableSuggestion("ALMA_FOWARD_LOANS_EVENTS")).to.equal("ALMA_FORWARD_LOANS_EVENTS");
    expect(routeVariableSuggestion("SOMETHING_ELSE")).to.equal(undefined);
  });
});
