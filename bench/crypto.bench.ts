import { pathToFileURL } from "node:url";
import { cipherContext, createSm4Cipher, generateKeyringString, keyringFromEnv } from "../packages/crypto/src/index.ts";

const OPERATIONS = 100_000;
const WARMUP = 2_000;

/** One measured figure: operations per second for one kind of call. */
export interface CryptoBenchFigure {
  operation: string;
  opsPerSecond: number;
}

/** Times `OPERATIONS` calls of `op` (after a warm-up) and returns calls per second. */
function measure(op: (i: number) => number): number {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += op(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPERATIONS; i++) sink += op(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return OPERATIONS / seconds;
}

/** Prints SM4 field-cipher throughput (encrypt, decrypt, blind index) over 100k operations each. */
export async function run(): Promise<CryptoBenchFigure[]> {
  const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
  const context = cipherContext("parties", "id_number", "bench-tenant");
  const ids = Array.from({ length: 1_000 }, (_, i) => `62098119900307${String(i).padStart(4, "0")}`);
  const address = "甘肃省酒泉市玉门市玉门镇代家滩村三组47号";
  const sealedIds = ids.map((id) => cipher.encrypt(id, context));
  const sealedAddress = cipher.encrypt(address, context);
  const pick = <T>(list: T[], i: number): T => list[i % list.length] as T;

  const figures: CryptoBenchFigure[] = [
    {
      operation: "encrypt ID number (18 B)",
      opsPerSecond: measure((i) => cipher.encrypt(pick(ids, i), context).length),
    },
    {
      operation: "decrypt ID number (18 B)",
      opsPerSecond: measure((i) => cipher.decrypt(pick(sealedIds, i), context).length),
    },
    { operation: "encrypt address (59 B)", opsPerSecond: measure(() => cipher.encrypt(address, context).length) },
    { operation: "decrypt address (59 B)", opsPerSecond: measure(() => cipher.decrypt(sealedAddress, context).length) },
    {
      operation: "blind index (HMAC-SM3)",
      opsPerSecond: measure((i) => cipher.blindIndex("id_card", pick(ids, i))[0] ?? 0),
    },
  ];

  console.log(`\nSM4 field cipher — ${OPERATIONS.toLocaleString("en")} operations each, Node ${process.version}`);
  for (const { operation, opsPerSecond } of figures) {
    console.log(`  ${operation.padEnd(28)} ${Math.round(opsPerSecond).toLocaleString("en").padStart(10)} ops/s`);
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
