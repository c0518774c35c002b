const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const isCode = (value: unknown): value is { value: string; desc?: string } =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  typeof (value as { value?: unknown }).value !== "object" &&
  Object.keys(value).every((key) => key === "value" || key === "desc");

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value))
    return `<${name}s>${value.map((item) => element(name, item)).join("")}</${name}s>`;
  if (isCode(value)) {
    const desc = value.desc === undefined ? "" : ` desc="${escapeXml(String(value.desc))}"`;
    return `<${name}${desc}>${escapeXml(String(value.value))}</${name}>`;
  }
  if (typeof value === "object") {
    const children = Object.entries(value as Record<string, unknown>).map(([key, child]) =>
      element(key, child),
    );
    return `<${name}>${children.join("")}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * The XML form Alma sends of a webhook (an integration profile set to XML), from its JSON form: a `<webhook>`
 * root, codes as text with a `desc` attribute, lists as a plural element of singular ones
 * (`counter: [...]` → `<counters><counter>…</counter></counters>`), every value as text.
 *
 * @example
 * ```ts
 * const event = signedPost(toAlmaXml(jobEndPayload()), secret, { headers: { "Content-Type": "application/xml" } });
 * ```
 */
export function toAlmaXml(payload: Readonly<Record<string, unknown>>): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${element("webhook", payload)}`;
}
