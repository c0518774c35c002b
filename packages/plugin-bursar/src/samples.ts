// The plugin's sample webhook bodies, loaded only when asked for (the local run, the plugin's tests): a
// deployed function never loads them, nor the testing kit that builds them.
import { counter, jobEndPayload } from "@alma-webhooks/core/testing";

/** A Bursar export named `jobName` that exported fines and fees (`counterType`). */
export const samples = (jobName: string, counterType: string) => [
  jobEndPayload({
    job_instance: { id: "7019873450004761", name: jobName, counter: [counter(counterType, 42)] },
  }),
];
