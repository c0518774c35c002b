// The local endpoint's stored secret, read and written as the SDK would: one AWS JSON 1.1 call each, to
// Secrets Manager or SSM Parameter Store as the secret is stored.

/** A stored secret as the local tools know it: its store (`ssm`, else Secrets Manager) and its id. */
export interface StoredSecretRef {
  readonly store: string;
  readonly id: string;
}

const call = (endpointUrl: string, target: string, body: object): Promise<Response> =>
  fetch(endpointUrl, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(body),
  });

/**
 * Asks the local endpoint for the stored secret's value (`GetParameter` with decryption, or `GetSecretValue`).
 * The answer is the service's: `Parameter.Value` or `SecretString`.
 *
 * @example
 * ```ts
 * const response = await getStoredSecret(endpoint.url, { store: "ssm", id: "/alma/webhook-secret" });
 * ```
 */
export function getStoredSecret(endpointUrl: string, stored: StoredSecretRef): Promise<Response> {
  return stored.store === "ssm"
    ? call(endpointUrl, "AmazonSSM.GetParameter", { Name: stored.id, WithDecryption: true })
    : call(endpointUrl, "secretsmanager.GetSecretValue", { SecretId: stored.id });
}

/**
 * Writes a new value to the stored secret at the local endpoint (`PutParameter` overwriting, or
 * `PutSecretValue`): what a rotation does.
 *
 * @example
 * ```ts
 * const response = await putStoredSecret(state.endpoint, { store: "secrets-manager", id: arn }, "new secret");
 * ```
 */
export function putStoredSecret(
  endpointUrl: string,
  stored: StoredSecretRef,
  value: string,
): Promise<Response> {
  return stored.store === "ssm"
    ? call(endpointUrl, "AmazonSSM.PutParameter", { Name: stored.id, Value: value, Overwrite: true })
    : call(endpointUrl, "secretsmanager.PutSecretValue", { SecretId: stored.id, SecretString: value });
}
