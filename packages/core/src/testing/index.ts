export { signBody } from "../signature.js";
export * from "./events.js";
export * from "./fake-dispatcher.js";
export * from "./payloads.js";
export * from "./plugin-harness.js";
export * from "./xml.js";
