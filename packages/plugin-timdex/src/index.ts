export { timdexPlugin } from "./timdex-plugin.js";
