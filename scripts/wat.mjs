// Compiles each models/*.wat to models/*.wasm (run by scripts/build.mjs, before tsc).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import createWabt from "wabt";

const models = join(dirname(fileURLToPath(import.meta.url)), "..", "models");
const wabt = await createWabt();
for (const name of readdirSync(models).filter((f) => f.endsWith(".wat"))) {
  const module = wabt.parseWat(name, readFileSync(join(models, name), "utf8"), { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  writeFileSync(join(models, name.replace(/\.wat$/, ".wasm")), buffer);
  module.destroy();
}
