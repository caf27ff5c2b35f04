// Writes each engine's static configuration and every example user's payload into .work/, so
// the timed runs (and the cold-start child processes) only read them.
// permslip's tokens (.work/tokens) and lite tokens (.work/tokens-lite) must exist already (run.sh
// issues them with the native CLI).

import { ENGINES, load, configPath, payloadPath, write } from "./lib/engines.mjs";
import { users } from "./lib/amplify.mjs";

for (const id of ENGINES) {
  const e = await load(id);
  const config = e.prepare();
  write(configPath(id), JSON.stringify(config));
  await e.init(config);
  for (const u of users) write(payloadPath(id, u), e.payload(u));
}
console.error(`prepare: configuration and payloads for ${ENGINES.length} engines x ${users.length} users`);
