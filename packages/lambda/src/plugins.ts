import type { WebhookPlugin } from "@alma-webhooks/core";
import { bursarPlugin } from "@alma-webhooks/plugin-bursar";
import { podPlugin } from "@alma-webhooks/plugin-pod";
import { timdexPlugin } from "@alma-webhooks/plugin-timdex";

/** The pipelines this deployment routes to. Adding one is one line here (and its package). */
export const deployedPlugins: readonly WebhookPlugin[] = [
  podPlugin,
  timdexPlugin,
  bursarPlugin,
  // One line per plugin, above this comment (make new-plugin prints it): the list stays one per line.
];
