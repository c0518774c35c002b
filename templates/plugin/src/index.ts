export { template_namePlugin } from "./template_name-plugin.js";
