export { bursarPlugin } from "./bursar-plugin.js";
