export { __name__Plugin } from "./__name__-plugin.js";
