// The S3 client and its commands, behind one module that the claim check and the store of undelivered
// webhooks import dynamically: the bundle puts it in a chunk of its own (chunks/s3-sdk-*.mjs), loaded only
// for a body too large for its target, a webhook that was not delivered, or a redelivery.
export { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
