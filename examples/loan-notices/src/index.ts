export { InMemoryQueue } from "./in-memory-queue.js";
export { loanNoticePlugin } from "./loan-notice-plugin.js";
export { type MessageQueue, QueueDispatcher } from "./queue-dispatcher.js";
