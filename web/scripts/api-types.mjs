// Generates src/api/schema.gen.ts from the gateway's OpenAPI document, the
// one source of the API's shapes. `--check` fails when the committed file is
// stale (make test runs it through `npm test`).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const docURL = new URL("../../api/gateway/openapi.json", import.meta.url);
const outURL = new URL("../src/api/schema.gen.ts", import.meta.url);
const header =
  "// Generated from api/gateway/openapi.json by web/scripts/api-types.mjs (npm run gen:api).\n" +
  "// Do not edit: change the OpenAPI document and regenerate.\n\n";

const ast = await openapiTS(JSON.parse(await readFile(docURL, "utf8")));
const generated = header + astToString(ast);

if (process.argv.includes("--check")) {
  const current = await readFile(outURL, "utf8").catch(() => "");
  if (current !== generated) {
    console.error(`${fileURLToPath(outURL)} is stale: run \`npm run gen:api\` in web/ and commit it`);
    process.exit(1);
  }
} else {
  await writeFile(outURL, generated);
  console.log(`wrote ${fileURLToPath(outURL)}`);
}
