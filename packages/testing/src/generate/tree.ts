import type { FieldCipher } from "@zongzhi/crypto";
import { cipherContext } from "@zongzhi/crypto";
import {
  creditCodeCheckChar,
  idCardCheckDigit,
  type Level,
  maskAddress,
  maskIdCardNumber,
  maskMobileNumber,
  maskPersonName,
} from "@zongzhi/domain";
import type postgres from "postgres";
import type { CopyTable } from "./copy.ts";
import { bytea, NULL, opt, text, textArray } from "./format.ts";
import { Random, Weighted } from "./random.ts";
import { GIVEN, ORG_SUFFIXES, ROADS, SURNAMES } from "./texts.ts";

/** A person (or organisation) of a unit's pool, sealed for that unit (ciphertexts are bound to its scope). */
interface Sealed {
  kind: "person" | "organisation";
  nameEnc: Buffer;
  nameMasked: string;
  idEnc: Buffer | null;
  idIndex: Buffer | null;
  idMasked: string | null;
  phone: string | null;
  phoneEnc: Buffer | null;
  phoneIndex: Buffer | null;
  phoneMasked: string | null;
  addressEnc: Buffer | null;
  addressMasked: string | null;
  orgCode: string | null;
}

/**
 * What a case needs of a pool entry: its party columns, already in COPY format (the same for
 * every case), and the phone the public-lookup digest uses. Why not the sealed Buffers: a
 * province holds 19,224 pools, and millions of small Buffers make every garbage collection slow.
 */
export interface SealedPerson {
  phone: string | null;
  /** The party row's columns from `kind` to `org_code`, in COPY text format, UTF-8 encoded. */
  copyText: Buffer;
}

/** The party columns from kind to org_code in COPY format. */
function partyText(p: Sealed): string {
  return [
    p.kind,
    bytea(p.nameEnc),
    text(p.nameMasked),
    bytea(p.idEnc),
    bytea(p.idIndex),
    opt(p.idMasked),
    bytea(p.phoneEnc),
    bytea(p.phoneIndex),
    opt(p.phoneMasked),
    bytea(p.addressEnc),
    opt(p.addressMasked),
    opt(p.orgCode),
  ].join("\t");
}

/** A named row of a unit's centre configuration. */
export interface Named {
  id: string;
  name: string;
}

/** One onboarded unit of the generated tree. */
export interface Unit {
  code: string;
  name: string;
  level: Level;
  id: string;
  parent: Unit | null;
  children: Unit[];
  /** The unit's generated staff account (all the roles its tier uses). */
  userId: string;
  /** Relative share of its tier's cases. */
  weight: number;
  hot: boolean;
  mediators: Named[];
  rooms: Named[];
  stationings: Named[];
  windows: Named[];
  committees: Named[];
  /** Sealed people and addresses, made on first use. */
  people?: SealedPerson[];
  orgs?: SealedPerson[];
  addresses?: { masked: string; encText: string }[];
}

/** The tree with its lookups. */
export interface Tree {
  root: Unit;
  units: Unit[];
  byCode: Map<string, Unit>;
  byLevel: Record<Level, Unit[]>;
  hotCounties: string[];
}

const ROLES: Record<Level, string[]> = {
  province: ["tenant_admin", "leader", "intake_clerk", "mediator"],
  city: ["tenant_admin", "leader", "intake_clerk", "mediator"],
  county: ["tenant_admin", "leader", "intake_clerk", "mediator"],
  township: ["tenant_admin", "leader", "intake_clerk", "mediator"],
  village: ["tenant_admin", "mediator", "grid_worker"],
};

/** How much centre configuration each tier gets. */
const CONFIG: Record<
  Level,
  { mediators: number; rooms: number; stationings: string[]; windows: number; committees: number }
> = {
  province: { mediators: 3, rooms: 1, stationings: ["political_legal", "petition"], windows: 1, committees: 0 },
  city: {
    mediators: 4,
    rooms: 2,
    stationings: ["court", "public_security", "petition", "human_resources"],
    windows: 2,
    committees: 1,
  },
  county: {
    mediators: 8,
    rooms: 4,
    stationings: [
      "court",
      "public_security",
      "justice",
      "petition",
      "human_resources",
      "natural_resources",
      "housing",
      "women_federation",
    ],
    windows: 4,
    committees: 2,
  },
  township: {
    mediators: 3,
    rooms: 2,
    stationings: ["police_station", "judicial_office", "township_enforcement"],
    windows: 2,
    committees: 1,
  },
  village: { mediators: 1, rooms: 0, stationings: [], windows: 0, committees: 0 },
};

const KIND_NAMES: Record<string, string> = {
  political_legal: "政法委",
  court: "人民法院",
  public_security: "公安局",
  police_station: "派出所",
  justice: "司法局",
  judicial_office: "司法所",
  petition: "信访局",
  human_resources: "人社局",
  natural_resources: "自然资源局",
  housing: "住建局",
  women_federation: "妇联",
  township_enforcement: "乡镇综合执法队",
};

const LEVEL_OF_LENGTH: Record<number, Level> = { 2: "province", 4: "city", 6: "county", 9: "township", 12: "village" };

/** A random person's name from the stream. */
export function personName(random: Random): string {
  return random.pick(SURNAMES) + random.pick(GIVEN);
}

/**
 * Reads the province's units from the registry (`ref.divisions`), optionally only the branches
 * under `only` (and the units above them), and gives each its ids, weight and configuration.
 * The five counties with the most villages are the hot ones (more cases per unit).
 */
export async function buildTree(
  admin: postgres.Sql,
  options: { province: string; only?: readonly string[] | undefined; seed: number },
): Promise<Tree> {
  const p = options.province;
  const rows = await admin<{ code: string; name: string; level: Level }[]>`select code, name, level::text as level
    from ref.divisions where code >= ${p} and code < ${`${p}:`} order by code`;
  if (rows.length === 0) throw new Error(`province ${p} is not in ref.divisions: load the registry first`);
  const only = options.only ?? [];
  const keep = (code: string) => only.length === 0 || only.some((o) => code.startsWith(o) || o.startsWith(code));
  const units: Unit[] = [];
  const byCode = new Map<string, Unit>();
  for (const r of rows) {
    if (!keep(r.code)) continue;
    if (LEVEL_OF_LENGTH[r.code.length] !== r.level) throw new Error(`unexpected registry row ${r.code} ${r.level}`);
    const random = new Random(options.seed, `unit:${r.code}`);
    let parent: Unit | null = null;
    for (const len of [9, 6, 4, 2]) {
      if (len < r.code.length && !parent) parent = byCode.get(r.code.slice(0, len)) ?? null;
    }
    if (r.level !== "province" && !parent) throw new Error(`registry unit ${r.code} has no parent in the tree`);
    const unit: Unit = {
      code: r.code,
      name: r.name,
      level: r.level,
      id: random.uuid(),
      parent,
      children: [],
      userId: random.uuid(),
      weight: 0,
      hot: false,
      mediators: [],
      rooms: [],
      stationings: [],
      windows: [],
      committees: [],
    };
    const c = CONFIG[r.level];
    for (let i = 0; i < c.mediators; i++) unit.mediators.push({ id: random.uuid(), name: personName(random) });
    for (let i = 0; i < c.rooms; i++) unit.rooms.push({ id: random.uuid(), name: `第${i + 1}调解室` });
    for (const k of c.stationings) unit.stationings.push({ id: random.uuid(), name: KIND_NAMES[k] ?? k });
    for (let i = 0; i < c.windows; i++) unit.windows.push({ id: random.uuid(), name: `综合受理${i + 1}号窗口` });
    for (let i = 0; i < c.committees; i++)
      unit.committees.push({ id: random.uuid(), name: i === 0 ? "人民调解委员会" : "行业性专业性调解委员会" });
    parent?.children.push(unit);
    units.push(unit);
    byCode.set(unit.code, unit);
  }
  const root = byCode.get(p);
  if (!root) throw new Error(`province ${p} missing`);
  const byLevel: Record<Level, Unit[]> = { province: [], city: [], county: [], township: [], village: [] };
  for (const u of units) byLevel[u.level].push(u);
  const villagesOf = (u: Unit): number =>
    u.level === "village" ? 1 : u.children.reduce((n, c) => n + villagesOf(c), 0);
  const counties = [...byLevel.county].sort((a, b) => villagesOf(b) - villagesOf(a) || a.code.localeCompare(b.code));
  const hotCount = Math.min(5, Math.max(1, Math.floor(counties.length / 4)));
  const hot = new Set(counties.slice(0, hotCount).map((c) => c.code));
  for (const u of units) {
    const random = new Random(options.seed, `weight:${u.code}`);
    const county = u.code.length >= 6 ? u.code.slice(0, 6) : null;
    u.hot = county !== null && hot.has(county);
    const factor = u.hot ? 4 : 1;
    u.weight = factor * random.range(0.4, 1.6);
  }
  for (const city of byLevel.city) {
    city.weight =
      city.children.reduce((n, c) => n + c.weight, 0.5) * new Random(options.seed, `city:${city.code}`).range(0.6, 1.4);
  }
  return { root, units, byCode, byLevel, hotCounties: [...hot].sort() };
}

/** Draws the registering unit of a case: tier by the given shares, then a unit by weight. */
export function unitPicker(tree: Tree, shares: Partial<Record<Level, number>>): (random: Random) => Unit {
  const tiers = (Object.entries(shares) as [Level, number][]).filter(([l, s]) => s > 0 && tree.byLevel[l].length > 0);
  if (tiers.length === 0) throw new Error("no unit can receive cases");
  const tier = new Weighted(tiers);
  const within = Object.fromEntries(
    tiers.map(([l]) => [l, new Weighted(tree.byLevel[l].map((u) => [u, u.weight] as const))]),
  ) as Record<Level, Weighted<Unit>>;
  return (random) => within[tier.draw(random)].draw(random);
}

function idNumber(random: Random, county: string): string {
  const year = random.int(1950, 2004);
  const month = String(random.int(1, 12)).padStart(2, "0");
  const day = String(random.int(1, 28)).padStart(2, "0");
  const first17 = `${county.padEnd(6, "0").slice(0, 6)}${year}${month}${day}${String(random.int(0, 999)).padStart(3, "0")}`;
  return first17 + idCardCheckDigit(first17);
}

function phone(random: Random): string {
  return `1${random.pick(["38", "39", "59", "58", "86", "87", "33", "77"])}${String(random.int(0, 99_999_999)).padStart(8, "0")}`;
}

const USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY";

function creditCode(random: Random, county: string): string {
  let body = `91${county.padEnd(6, "0").slice(0, 6)}`;
  for (let i = 0; i < 9; i++) body += USCC[random.int(0, USCC.length - 1)];
  return body + creditCodeCheckChar(body);
}

function withText(p: Sealed): SealedPerson {
  return { phone: p.phone, copyText: Buffer.from(partyText(p), "utf8") };
}

const PEOPLE_PER_UNIT = 16;
const ORGS_PER_UNIT = 4;
const ADDRESSES_PER_UNIT = 4;

/**
 * The unit's sealed people, organisations and addresses, made once. Why a pool: ciphertexts
 * are bound to the unit's scope, and sealing every party of 10 M cases one by one would
 * cost minutes of SM4; a pool costs a few thousand operations per unit.
 */
export function sealPools(
  unit: Unit,
  cipher: FieldCipher,
  seed: number,
): Required<Pick<Unit, "people" | "orgs" | "addresses">> {
  if (unit.people && unit.orgs && unit.addresses) return unit as Required<Unit>;
  const random = new Random(seed, `people:${unit.code}`);
  const county = unit.code.slice(0, 6);
  const ctx = (column: string) => cipherContext("case_parties", column, unit.code);
  const addressText = () => `${unit.name}${random.pick(ROADS)}${random.int(1, 300)}号`;
  const people: SealedPerson[] = [];
  for (let i = 0; i < PEOPLE_PER_UNIT; i++) {
    const name = personName(random);
    const id = random.chance(0.5) ? idNumber(random, county) : null;
    const tel = random.chance(0.85) ? phone(random) : null;
    const address = random.chance(0.6) ? addressText() : null;
    people.push(
      withText({
        kind: "person",
        nameEnc: cipher.encrypt(name, ctx("name")),
        nameMasked: maskPersonName(name),
        idEnc: id ? cipher.encrypt(id, ctx("id_number")) : null,
        idIndex: id ? cipher.blindIndex("id_number", id) : null,
        idMasked: id ? maskIdCardNumber(id) : null,
        phone: tel,
        phoneEnc: tel ? cipher.encrypt(tel, ctx("phone")) : null,
        phoneIndex: tel ? cipher.blindIndex("phone", tel) : null,
        phoneMasked: tel ? maskMobileNumber(tel) : null,
        addressEnc: address ? cipher.encrypt(address, ctx("address")) : null,
        addressMasked: address ? maskAddress(address) : null,
        orgCode: null,
      }),
    );
  }
  const orgs: SealedPerson[] = [];
  for (let i = 0; i < ORGS_PER_UNIT; i++) {
    const name = `${unit.name.slice(0, 4)}${random.pick(["宏达", "鑫源", "顺通", "丰泽", "兴业", "恒信"])}${random.pick(ORG_SUFFIXES)}`;
    orgs.push(
      withText({
        kind: "organisation",
        nameEnc: cipher.encrypt(name, ctx("name")),
        nameMasked: name,
        idEnc: null,
        idIndex: null,
        idMasked: null,
        phone: null,
        phoneEnc: null,
        phoneIndex: null,
        phoneMasked: null,
        addressEnc: null,
        addressMasked: null,
        orgCode: creditCode(random, county),
      }),
    );
  }
  const addresses = Array.from({ length: ADDRESSES_PER_UNIT }, () => {
    const a = addressText();
    return { masked: maskAddress(a), encText: bytea(cipher.encrypt(a, cipherContext("cases", "address", unit.code))) };
  });
  unit.people = people;
  unit.orgs = orgs;
  unit.addresses = addresses;
  return { people, orgs, addresses };
}

/** COPY columns of the tree's tables. */
export const TREE_COLUMNS = {
  "app.tenants": ["id", "code", "level", "parent_id", "root_code", "name", "is_demo", "created_at", "updated_at"],
  "app.users": [
    "id",
    "tenant_id",
    "scope_code",
    "username",
    "display_name",
    "roles",
    "password_hash",
    "must_change_password",
    "password_changed_at",
    "created_at",
    "updated_at",
  ],
  "app.stationings": [
    "id",
    "scope_code",
    "kind_code",
    "name",
    "residency",
    "contact_name",
    "contact_phone",
    "created_at",
    "updated_at",
  ],
  "app.mediators": ["id", "scope_code", "name", "grade", "specialties", "affiliation", "created_at", "updated_at"],
  "app.mediation_rooms": ["id", "scope_code", "name", "kind", "capacity", "created_at"],
  "app.service_windows": ["id", "scope_code", "number", "name", "services", "created_at"],
  "app.mediation_committees": ["id", "scope_code", "name", "field", "created_at"],
} as const;

/** The username of a unit's generated staff account. */
export function usernameOf(code: string): string {
  return `gen.${code}`;
}

/** Writes the tenants, their staff accounts and their centres' configuration. */
export function writeTree(
  tree: Tree,
  tables: Record<keyof typeof TREE_COLUMNS, CopyTable>,
  options: { passwordHash: string; createdAt: string; seed: number },
): void {
  const at = options.createdAt;
  for (const u of tree.units) {
    tables["app.tenants"].push(
      [u.id, u.code, u.level, u.parent?.id ?? NULL, tree.root.code, text(u.name), "t", at, at].join("\t"),
    );
    tables["app.users"].push(
      [
        u.userId,
        u.id,
        u.code,
        usernameOf(u.code),
        text(`${u.name}工作人员`.slice(0, 60)),
        textArray(ROLES[u.level]),
        text(options.passwordHash),
        "f",
        at,
        at,
        at,
      ].join("\t"),
    );
    const random = new Random(options.seed, `config:${u.code}`);
    u.stationings.forEach((s, i) => {
      const kind = CONFIG[u.level].stationings[i] as string;
      tables["app.stationings"].push(
        [
          s.id,
          u.code,
          kind,
          text(s.name),
          i % 3 === 2 ? "rotating" : "permanent",
          text(personName(random)),
          phone(random),
          at,
          at,
        ].join("\t"),
      );
    });
    for (const m of u.mediators) {
      tables["app.mediators"].push(
        [
          m.id,
          u.code,
          text(m.name),
          random.pick(["chief", "senior", "standard", "standard"]),
          textArray(random.chance(0.5) ? ["neighbour", "marriage_family"] : ["labour", "land"]),
          random.pick(["committee", "notable_villager", "lawyer", "retired_judge", "volunteer"]),
          at,
          at,
        ].join("\t"),
      );
    }
    for (const r of u.rooms) {
      tables["app.mediation_rooms"].push(
        [r.id, u.code, text(r.name), "general", String(random.int(6, 20)), at].join("\t"),
      );
    }
    u.windows.forEach((w, i) => {
      tables["app.service_windows"].push(
        [w.id, u.code, String(i + 1), text(w.name), textArray(["intake"]), at].join("\t"),
      );
    });
    u.committees.forEach((c, i) => {
      tables["app.mediation_committees"].push(
        [c.id, u.code, text(c.name), i === 0 ? "joint" : "labour", at].join("\t"),
      );
    });
  }
}

/** An optional value in COPY format (re-exported for the case writer). */
export { bytea, opt };
