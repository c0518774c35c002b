// One bucket's JSON objects, written and read the one way the claim check and the store of undelivered
// webhooks both need: the S3 client imported at the first call, every call bounded by the deadline given.
import type { S3Client } from "@aws-sdk/client-s3";
import { BUDGETED_CLIENT, type Clock, callWithin, DISPATCH_BUDGET, nameOf } from "./deadline.js";

type S3Sdk = typeof import("./s3-sdk.js");

/**
 * The base of a store of JSON objects in one bucket: they are put and got within {@link DISPATCH_BUDGET} or the deadline given, whichever
 * comes first. The S3 client is imported at the first call (most deployments never load it); a failed import
 * is tried again at the next. A rewrite of the same object is harmless, so the SDK's retries stay on. With an
 * endpoint override (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, for an emulator) it addresses the bucket by path.
 *
 * @example
 * ```ts
 * class Notes extends S3ObjectStore {
 *   write = (id: string, note: string, by: number) => this.putObject(`notes/${id}.json`, note, { id }, by);
 *   read = (id: string, by: number) => this.getObject(`notes/${id}.json`, by); // undefined when absent
 * }
 * const notes = new Notes("my-bucket", systemClock);
 * ```
 */
export abstract class S3ObjectStore {
  private client?: Promise<{ client: S3Client; sdk: S3Sdk }>;

  constructor(
    readonly bucket: string,
    private readonly clock: Clock,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  private load(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    this.client ??= import("./s3-sdk.js").then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        ...BUDGETED_CLIENT,
        forcePathStyle: Boolean(this.env.AWS_ENDPOINT_URL_S3 || this.env.AWS_ENDPOINT_URL),
      }),
    }));
    this.client.catch(() => {
      this.client = undefined;
    });
    return this.client;
  }

  /** Writes a JSON object (`PutObject`) with its metadata; rejects with the SDK's error. */
  protected async putObject(
    key: string,
    body: string | Uint8Array,
    metadata: Readonly<Record<string, string>>,
    budgetEnd: number,
  ): Promise<void> {
    const { client, sdk } = await this.load();
    await callWithin(this.clock, "PutObject", budgetEnd, DISPATCH_BUDGET.totalMs, (abortSignal) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
          Metadata: { ...metadata },
        }),
        { abortSignal },
      ),
    );
  }

  /** The object's text (`GetObject`, UTF-8), or undefined when there is no such object; rejects on any other failure. */
  protected async getObject(key: string, budgetEnd: number): Promise<string | undefined> {
    const { client, sdk } = await this.load();
    try {
      return await callWithin(
        this.clock,
        "GetObject",
        budgetEnd,
        DISPATCH_BUDGET.totalMs,
        async (abortSignal) => {
          const output = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }), {
            abortSignal,
          });
          return (await output.Body?.transformToString("utf8")) ?? "";
        },
      );
    } catch (error) {
      if (nameOf(error) === "NoSuchKey" || nameOf(error) === "NotFound") return undefined;
      throw error;
    }
  }
}
