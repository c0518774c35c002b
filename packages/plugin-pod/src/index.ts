export { podPlugin } from "./pod-plugin.js";
