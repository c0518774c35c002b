import { readFileSync } from "node:fs";
import { expect } from "chai";

// Compiled to dist/test: the package's root is two levels up.
const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("README.md", () => {
  const snippets = [...read("README.md").matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)];

  it("shows the plugin, the dispatcher, the queue, the handler and the tests", () => {
    expect(snippets.map(([, file]) => file)).to.include.members([
      "src/loan-notice-plugin.ts",
      "src/queue-dispatcher.ts",
      "src/in-memory-queue.ts",
      "src/handler.ts",
      "test/loan-notices.spec.ts",
    ]);
  });

  it("quotes every snippet exactly from the file it names (the formatter may dedent a snippet)", () => {
    for (const [, file = "", code = ""] of snippets) {
      const text = read(file);
      const indented = [0, 2, 4, 6].some((width) =>
        text.includes(code.replace(/^(?=.)/gm, " ".repeat(width))),
      );
      expect(indented, `README snippet from ${file} no longer matches it`).to.equal(true);
    }
  });
});
