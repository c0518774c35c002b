// The S3 client and PutObject, behind one module that the claim check imports dynamically: the bundle puts
// it in a chunk of its own (chunks/s3-sdk-*.mjs), loaded only for a body too large for its target.
export { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
