/** The ping Lambda's entry point (`ping.handler`): answers `pong`, to check a deployment is alive. */
export const handler = async (): Promise<string> => "pong";
