import { formatArn } from "@alma-webhooks/aws/arn";
import { ApiError, type JsonObject, requiredString } from "./aws-json.js";
import { LOCAL } from "./forward-operations.js";

/**
 * The secret reads of the local endpoint: Secrets Manager's `secretsmanager.GetSecretValue` and SSM's
 * `AmazonSSM.GetParameter` (both AWS JSON 1.1), answered from `secrets` (keyed by the secret's ARN or name,
 * or the parameter's name or ARN), which the caller may change at any time: a rotation. A list is a rotation
 * that happens by itself: each read answers the next value, and the last one stays.
 */
export function secretOperations(
  secrets: Map<string, string | readonly string[]>,
): Map<string, (body: JsonObject) => JsonObject> {
  const read = (id: string): string | undefined => {
    const value = secrets.get(id);
    if (typeof value === "string" || value === undefined) return value;
    const [next, ...rest] = value;
    if (rest.length > 0) secrets.set(id, rest);
    return next;
  };
  function getSecretValue(body: JsonObject): JsonObject {
    const id = requiredString(body, "SecretId");
    const value = read(id);
    if (value === undefined) {
      throw new ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    const name = id.startsWith("arn:") ? id.slice(id.lastIndexOf(":") + 1) : id;
    return {
      ARN: id.startsWith("arn:")
        ? id
        : formatArn({ ...LOCAL, service: "secretsmanager", resource: `secret:${id}` }),
      Name: name,
      SecretString: value,
      VersionId: `local-${value.length}`,
      VersionStages: ["AWSCURRENT"],
      CreatedDate: Math.floor(Date.now() / 1000),
    };
  }

  function getParameter(body: JsonObject): JsonObject {
    const name = requiredString(body, "Name");
    const value = read(name);
    if (value === undefined) throw new ApiError("ParameterNotFound", `Parameter ${name} not found.`);
    return {
      Parameter: {
        Name: name,
        Type: "SecureString",
        Value: value,
        Version: 1,
        DataType: "text",
        ARN: name.startsWith("arn:")
          ? name
          : formatArn({ ...LOCAL, service: "ssm", resource: `parameter/${name.replace(/^\//, "")}` }),
        LastModifiedDate: Math.floor(Date.now() / 1000),
      },
    };
  }

  // The writes a rotation makes (`alma-webhook rotate-secret`): only to a secret or parameter it already holds.
  function putSecretValue(body: JsonObject): JsonObject {
    const id = requiredString(body, "SecretId");
    if (!secrets.has(id)) {
      throw new ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    const value = requiredString(body, "SecretString");
    secrets.set(id, value);
    return { ARN: id, Name: id, VersionId: `local-${value.length}`, VersionStages: ["AWSCURRENT"] };
  }

  function putParameter(body: JsonObject): JsonObject {
    const name = requiredString(body, "Name");
    if (!secrets.has(name)) throw new ApiError("ParameterNotFound", `Parameter ${name} not found.`);
    secrets.set(name, requiredString(body, "Value"));
    return { Version: 2, Tier: "Standard" };
  }

  return new Map([
    ["secretsmanager.GetSecretValue", getSecretValue],
    ["AmazonSSM.GetParameter", getParameter],
    ["secretsmanager.PutSecretValue", putSecretValue],
    ["AmazonSSM.PutParameter", putParameter],
  ]);
}
