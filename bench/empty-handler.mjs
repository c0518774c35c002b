// The ES module floor of `make bench`: a handler module that does nothing, imported by cold-child.mjs as the
// bundle is. What it costs over `node -e 0` is any ES module's (the loader), not the bundle's.
export const handler = async () => ({ statusCode: 200, body: "" });
