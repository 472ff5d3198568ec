import { randomUUID } from "node:crypto";
import { addDays, chinaToday, isoWeekday } from "@zongzhi/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenEvents, refusal, startTestApi, type TestApi } from "./test-harness.ts";

// Online booking (网上预约, issue 13 §6) against real PostgreSQL through the real HTTP app: the
// public page's routes (no session), the centre's procedures, and 接待 into a case.

const YUMEN = "620981";
const json = { "content-type": "application/json" };
let api: TestApi;
let centre: CentrePage;
let ipSerial = 0;
/** A fresh client address per booking (the per-address limit has its own test). */
const nextIp = () => `198.51.100.${++ipSerial}`;
let phoneSerial = 0;
/** A fresh mainland mobile number. */
const nextPhone = () => `1390937${String(1000 + ++phoneSerial).slice(-4)}`;

interface Slot {
  offerId: string;
  startsAt: string;
  endsAt: string;
  time: string;
  left: number;
}
interface CentrePage {
  code: string;
  name: string;
  offers: { id: string; kind: "visit" | "mediation"; title: string; capacity: number; resourceName: string }[];
  days: {
    date: string;
    workday: boolean;
    holiday: string | null;
    onDuty: { permanent: string[]; rotating: string[]; onCall: string[] };
    slots: Slot[];
  }[];
  categories: { code: string; name: string }[];
}

beforeAll(async () => {
  // 10.0.0.0/8 is the reverse proxy: its X-Forwarded-For counts; anyone else's is ignored.
  api = await startTestApi({ centres: true, trustedProxies: ["10.0.0.0/8"] });
  centre = await page();
}, 120_000);
afterAll(() => api?.close());

async function page(code = YUMEN, ip = nextIp()): Promise<CentrePage> {
  const res = await api.request(`/public/booking/centres/${code}`, { ip });
  expect(res.status).toBe(200);
  return (await res.json()) as CentrePage;
}

const offer = (kind: "visit" | "mediation") => centre.offers.find((o) => o.kind === kind)!;
/** The open slots of an offer, soonest first. */
const slotsOf = (p: CentrePage, offerId: string) => p.days.flatMap((d) => d.slots.filter((s) => s.offerId === offerId));
let slotCursor = 0;
/** A slot of the offer no other test of this file uses. */
function freshSlot(kind: "visit" | "mediation"): Slot {
  const slots = slotsOf(centre, offer(kind).id);
  return slots[(slotCursor++ * 3) % slots.length]!;
}

function body(slot: Slot, overrides: Record<string, unknown> = {}) {
  return {
    centreCode: YUMEN,
    offerId: slot.offerId,
    startsAt: slot.startsAt,
    name: "张秀兰",
    phone: nextPhone(),
    matter: "邻居装修噪音扰民，协商未果，希望调解。",
    categoryCode: "neighbour",
    ...overrides,
  };
}

function book(payload: unknown, options: { key?: string | null; ip?: string; headers?: Record<string, string> } = {}) {
  const key = options.key === undefined ? randomUUID() : options.key;
  return api.request("/public/booking/appointments", {
    method: "POST",
    headers: { ...json, ...(key ? { "idempotency-key": key } : {}), ...options.headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
    ip: options.ip ?? nextIp(),
  });
}

const post = (path: string, payload: unknown, ip = nextIp()) =>
  api.request(path, { method: "POST", headers: json, body: JSON.stringify(payload), ip });

async function booked(payload: ReturnType<typeof body>) {
  const res = await book(payload);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { code: string; status: string; startsAt: string; replayed: boolean };
}

describe("the public page", () => {
  it("lists the centres that take bookings, by name, code and division", async () => {
    const all = (await (await api.request("/public/booking/centres", { ip: nextIp() })).json()) as { code: string }[];
    expect(all.map((c) => c.code)).toEqual([YUMEN]);
    const byName = await api.request(`/public/booking/centres?q=${encodeURIComponent("玉门")}`, { ip: nextIp() });
    expect(((await byName.json()) as { name: string }[])[0]!.name).toBe("玉门市");
    const elsewhere = await api.request("/public/booking/centres?under=14", { ip: nextIp() });
    expect(await elsewhere.json()).toEqual([]);
    // Yongji (another deployment) takes no bookings: its page does not exist.
    expect((await api.request("/public/booking/centres/140881", { ip: nextIp() })).status).toBe(404);
    const bad = await api.request("/public/booking/centres?under=abc&x=1", { ip: nextIp() });
    expect(bad.status).toBe(400);
  });

  it("derives the slots from the centre's calendar, hours and roster", async () => {
    expect(centre.name).toBe("玉门市");
    expect(centre.offers.map((o) => o.kind).sort()).toEqual(["mediation", "visit"]);
    expect(centre.days).toHaveLength(15);
    for (const day of centre.days) {
      if (!day.workday) expect(day.slots).toEqual([]);
      for (const s of day.slots) {
        expect(["12:00", "12:30", "13:00", "14:00", "17:30"]).not.toContain(s.time);
      }
    }
    const workday = centre.days.find((d) => d.workday && d.slots.length > 0)!;
    expect(workday.onDuty.permanent).toContain("玉门市人民法院（诉调对接中心）");
    expect(workday.onDuty.onCall).toContain("玉门市卫健委（医患纠纷）");
    const visits = workday.slots.filter((s) => s.offerId === offer("visit").id).map((s) => s.time);
    if (workday.date !== chinaToday()) {
      expect(visits).toEqual([
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
      ]);
    }
    // A holiday the centre declares closes its slots; a make-up Saturday opens them.
    const later = centre.days.filter((d) => d.workday && d.date > addDays(chinaToday(), 2));
    const closed = later[0]!.date;
    const saturday = centre.days.find((d) => isoWeekday(d.date) === 6 && d.date > addDays(chinaToday(), 1))!.date;
    await api.db.admin`insert into app.calendar_days (scope_code, day, workday, name)
      values (${YUMEN}, ${closed}, false, '测试休息日'), (${YUMEN}, ${saturday}, true, null)`;
    const after = await page();
    const day = (d: string) => after.days.find((x) => x.date === d)!;
    expect(day(closed).slots).toEqual([]);
    expect(day(closed).holiday).toBe("测试休息日");
    expect(day(saturday).slots.length).toBeGreaterThan(0);
    await api.db.admin`delete from app.calendar_days where scope_code = ${YUMEN} and day in (${closed}, ${saturday})`;
  });

  it("books a slot and gives a code the person can look up and cancel", async () => {
    const slot = freshSlot("visit");
    const payload = body(slot, { phone: "13909371234" });
    const made = await booked(payload);
    expect(made.code).toMatch(/^620981-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(made.status).toBe("booked");
    const found = await post("/public/booking/lookup", { code: made.code.toLowerCase(), phoneLast4: "1234" });
    expect(found.status).toBe(200);
    const view = (await found.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ code: made.code, nameMasked: "张**", phoneMasked: "139****1234", cancellable: true });
    // Never the full name, the phone or the matter.
    expect(JSON.stringify(view)).not.toMatch(/张秀兰|13909371234|噪音/);
    const wrong = await post("/public/booking/lookup", { code: made.code, phoneLast4: "9999" });
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ zh: expect.stringContaining("未找到该预约"), en: expect.any(String) });
    const before = slotsOf(await page(), slot.offerId).find((s) => s.startsAt === slot.startsAt)!.left;
    const cancelled = await post("/public/booking/cancel", { code: made.code, phoneLast4: "1234" });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: "cancelled", cancellable: false });
    const freed = slotsOf(await page(), slot.offerId).find((s) => s.startsAt === slot.startsAt)!.left;
    expect(freed).toBe(before + 1);
    const again = await post("/public/booking/cancel", { code: made.code, phoneLast4: "1234" });
    expect(again.status).toBe(409);
  });

  it("never books a seat twice: parallel bookings of the last seats get them once each", async () => {
    const slot = freshSlot("visit");
    const results = await Promise.all(Array.from({ length: 6 }, () => book(body(slot))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
    const refused = (await results.find((r) => r.status === 409)!.json()) as { zh: string; en: string };
    expect(refused.zh).toContain("已约满");
    const seats = await api.db.admin<{ seat: number }[]>`select seat from app.appointments
      where offer_id = ${slot.offerId} and starts_at = ${slot.startsAt} and status <> 'cancelled' order by seat`;
    expect(seats.map((s) => s.seat)).toEqual([1, 2]);
    // A room holds one mediation per slot.
    const room = freshSlot("mediation");
    const rooms = await Promise.all(Array.from({ length: 4 }, () => book(body(room))));
    expect(rooms.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    // The database itself refuses a second live booking of a seat.
    const [one] = await api.db.admin<Record<string, unknown>[]>`select * from app.appointments
      where offer_id = ${slot.offerId} and starts_at = ${slot.startsAt} and seat = 1`;
    const copy = api.db
      .admin`insert into app.appointments (scope_code, offer_id, code, starts_at, ends_at, seat, name_enc,
        name_masked, phone_enc, phone_index, phone_masked, category_code, matter, lookup_digest, idempotency_key,
        request_hash)
      values (${YUMEN}, ${slot.offerId}, '620981-ZZZZZZZZ', ${slot.startsAt}, ${slot.endsAt}, 1, ${one!.name_enc as Buffer},
        'x', ${one!.phone_enc as Buffer}, ${one!.phone_index as Buffer}, '139****0000', 'neighbour', 'x',
        ${one!.lookup_digest as Buffer}, 'direct-insert-1', 'x')`;
    await expect(copy).rejects.toMatchObject({ constraint_name: "appointments_no_double_booking" });
    const over = api.db
      .admin`insert into app.appointments (scope_code, offer_id, code, starts_at, ends_at, seat, name_enc,
        name_masked, phone_enc, phone_index, phone_masked, category_code, matter, lookup_digest, idempotency_key,
        request_hash)
      values (${YUMEN}, ${slot.offerId}, '620981-ZZZZZZZY', ${slot.startsAt}, ${slot.endsAt}, 3, ${one!.name_enc as Buffer},
        'x', ${one!.phone_enc as Buffer}, ${one!.phone_index as Buffer}, '139****0000', 'neighbour', 'x',
        ${one!.lookup_digest as Buffer}, 'direct-insert-2', 'x')`;
    await expect(over).rejects.toMatchObject({ constraint_name: "appointments_within_capacity" });
  });

  it("keeps a room's online slot and its sessions apart", async () => {
    const slot = freshSlot("mediation");
    const admin = api.client(await api.login("yumen.admin"));
    const rooms = await admin.centre.rooms.query({});
    const family = rooms.find((r) => r.name === "家事纠纷调解室")!;
    await admin.centre.book.mutate({
      roomId: family.id,
      startsAt: new Date(slot.startsAt),
      endsAt: new Date(slot.endsAt),
      title: "案件调解",
      mediatorIds: [],
    });
    const shown = slotsOf(await page(), slot.offerId).find((s) => s.startsAt === slot.startsAt)!;
    expect(shown.left).toBe(0);
    const res = await book(body(slot));
    expect(res.status).toBe(409);
  });

  it("returns the first booking on a retry with the same Idempotency-Key, in sequence and in parallel", async () => {
    const slot = freshSlot("visit");
    const payload = body(slot);
    const key = randomUUID();
    const first = await book(payload, { key });
    expect(first.status).toBe(201);
    const made = (await first.json()) as { code: string };
    const retry = await book(payload, { key });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ code: made.code, replayed: true });
    const other = await book({ ...payload, matter: "另一件事" }, { key });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { en: string }).en).toContain("Idempotency-Key");
    const parallelKey = randomUUID();
    const second = body(freshSlot("visit"));
    const answers = await Promise.all(Array.from({ length: 4 }, () => book(second, { key: parallelKey })));
    const codes = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as { code: string }).code)));
    expect(codes.size).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    const [{ n }] = (await api.db.admin`select count(*)::int as n from app.appointments
      where idempotency_key in (${key}, ${parallelKey})`) as unknown as [{ n: number }];
    expect(n).toBe(2);
    const missing = await book(payload, { key: null });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ zh: expect.stringContaining("Idempotency-Key") });
  });

  it("limits the open bookings of one phone", async () => {
    const phone = nextPhone();
    await booked(body(freshSlot("visit"), { phone }));
    await booked(body(freshSlot("visit"), { phone }));
    const third = await book(body(freshSlot("visit"), { phone }));
    expect(third.status).toBe(409);
    expect(((await third.json()) as { zh: string }).zh).toContain("最多保留2个");
  });

  it("limits bookings per real client address; a forged X-Forwarded-For is ignored", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Unsigned-in clients rotate the header: the socket's address is what counts.
      const res = await book(body(freshSlot("visit"), { matter: "x", categoryCode: "nope" }), {
        ip: "203.0.113.77",
        headers: { "x-forwarded-for": `203.0.113.${100 + i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await book(body(freshSlot("visit")), { ip: "203.0.113.77" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ zh: expect.stringContaining("请求过于频繁"), en: expect.any(String) });
    // Behind the trusted proxy, each forwarded client has its own count.
    for (let i = 0; i < 11; i++) {
      const res = await book(body(freshSlot("visit"), { categoryCode: "nope" }), {
        ip: "10.0.0.2",
        headers: { "x-forwarded-for": "198.18.0.1" },
      });
      expect(res.status).toBe(i < 10 ? 400 : 429);
    }
    const another = await book(body(freshSlot("visit"), { categoryCode: "nope" }), {
      ip: "10.0.0.2",
      headers: { "x-forwarded-for": "198.18.0.2" },
    });
    expect(another.status).toBe(400);
  });

  it("answers every bad input with a bilingual 4xx", async () => {
    const slot = freshSlot("visit");
    const cases: [unknown, number, string?][] = [
      [body(slot, { name: "张\u0000三" }), 400, "name"],
      [body(slot, { extra: 1 }), 400],
      [body(slot, { phone: "12345678901" }), 400, "phone"],
      [body(slot, { categoryCode: "nope" }), 400, "categoryCode"],
      [body(slot, { startsAt: new Date(Date.parse(slot.startsAt) + 60_000).toISOString() }), 400, "startsAt"],
      [body(slot, { startsAt: "2020-01-06T09:00:00+08:00" }), 400, "startsAt"],
      [body(slot, { startsAt: new Date(Date.now() + 40 * 86_400_000).toISOString() }), 400, "startsAt"],
      [body(slot, { startsAt: "2026-13-45T99:00:00Z" }), 400, "startsAt"],
      [body(slot, { matter: "x".repeat(501) }), 400, "matter"],
      [body(slot, { offerId: randomUUID() }), 404],
      [body(slot, { centreCode: "140881" }), 404],
      ["{not json", 400],
      [[], 400],
    ];
    for (const [payload, status, field] of cases) {
      const res = await book(payload);
      const answer = (await res.json()) as { zh?: string; en?: string; details?: { fields?: { path: string }[] } };
      expect(res.status, JSON.stringify(payload)).toBe(status);
      expect(answer.zh && answer.en, JSON.stringify(answer)).toBeTruthy();
      if (field) expect(answer.details?.fields?.map((f) => f.path)).toContain(field);
    }
    for (const bad of [{ code: "x", phoneLast4: "1234" }, { code: "620981-AAAAAAAA", phoneLast4: "12" }, {}]) {
      const res = await post("/public/booking/lookup", bad);
      expect(res.status).toBe(400);
    }
  });
});

describe("the centre's side", () => {
  it("configures offers under the centre configuration permission", async () => {
    const admin = api.client(await api.login("yumen.admin"));
    const windows = await admin.centre.windows.query({});
    const legal = windows.find((w) => w.name === "法律援助")!;
    const saved = await admin.appointments.saveOffer.mutate({
      kind: "visit",
      windowId: legal.id,
      title: "法律援助咨询",
      slotMinutes: 20,
      opensAt: "09:00",
      closesAt: "12:00",
      capacity: 3,
      daysAhead: 5,
      noticeHours: 0,
    });
    expect(saved).toMatchObject({ resourceName: expect.stringContaining("法律援助"), opensAt: "09:00", capacity: 3 });
    const edited = await admin.appointments.saveOffer.mutate({
      id: saved.id,
      version: saved.version,
      kind: "visit",
      windowId: legal.id,
      title: "法律援助咨询",
      slotMinutes: 30,
      opensAt: "09:00",
      closesAt: "11:00",
      breakFrom: "",
      breakTo: "",
      capacity: 1,
      daysAhead: 5,
      noticeHours: 0,
      active: false,
    });
    expect(edited).toMatchObject({ slotMinutes: 30, active: false, version: 2 });
    const stale = {
      id: saved.id,
      version: saved.version,
      kind: "visit" as const,
      windowId: legal.id,
      title: "法律援助咨询",
      slotMinutes: 30,
      opensAt: "09:00",
      closesAt: "11:00",
      capacity: 1,
      daysAhead: 5,
      noticeHours: 0,
    };
    expect((await refusal(admin.appointments.saveOffer.mutate(stale))).appCode).toBe("CONFLICT");
    const duplicate = await refusal(
      admin.appointments.saveOffer.mutate({
        kind: "visit",
        windowId: legal.id,
        title: "重复",
        slotMinutes: 30,
        opensAt: "09:00",
        closesAt: "11:00",
        capacity: 1,
        daysAhead: 5,
        noticeHours: 0,
      }),
    );
    expect(duplicate.appCode).toBe("CONFLICT");
    const rooms = await admin.centre.rooms.query({});
    const hours = await refusal(
      admin.appointments.saveOffer.mutate({
        kind: "mediation",
        roomId: rooms[0]!.id,
        title: "调解",
        slotMinutes: 60,
        opensAt: "10:00",
        closesAt: "10:30",
        capacity: 2,
        daysAhead: 5,
        noticeHours: 0,
      }),
    );
    expect(hours.fields?.map((f) => f.path)).toEqual(["closesAt"]);
    // Another deployment's window: not found (the reference check), never linked.
    const yongji = api.client(await api.login("yongji.admin"));
    const foreign = await refusal(
      yongji.appointments.saveOffer.mutate({
        kind: "visit",
        windowId: legal.id,
        title: "伪造",
        slotMinutes: 30,
        opensAt: "09:00",
        closesAt: "11:00",
        capacity: 1,
        daysAhead: 5,
        noticeHours: 0,
      }),
    );
    expect(foreign.appCode).toBe("NOT_FOUND");
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.appointments.saveOffer.mutate({ ...stale, id: undefined }))).appCode).toBe("FORBIDDEN");
  });

  it("shows the bookings to the clerk, who marks them and receives one into a case exactly once", async () => {
    const slot = freshSlot("mediation");
    const made = await booked(body(slot, { name: "王建国", phone: "13809375678", categoryCode: "marriage_family" }));
    const clerk = api.client(await api.login("yumen.clerk"));
    const list = await clerk.appointments.list.query({ from: chinaToday(), to: addDays(chinaToday(), 15) });
    const mine = list.find((a) => a.code === made.code)!;
    expect(mine).toMatchObject({ status: "booked", nameMasked: "王**", phoneMasked: "138****5678", kind: "mediation" });
    expect(JSON.stringify(list)).not.toContain("13809375678");
    const arrived = await clerk.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "arrived" });
    expect(arrived.status).toBe("arrived");
    expect(
      (await refusal(clerk.appointments.mark.mutate({ id: mine.id, version: 1, status: "arrived" }))).appCode,
    ).toBe("CONFLICT");
    const receive = {
      id: mine.id,
      version: arrived.version,
      categoryCode: "marriage_family",
      title: "婚姻家庭纠纷（网上预约）",
      description: mine.matter,
      locationCode: YUMEN,
    };
    // Two clerks press 接待 at once: one case.
    const both = await Promise.allSettled([
      clerk.appointments.receive.mutate(receive),
      clerk.appointments.receive.mutate(receive),
    ]);
    const done = both.filter((r) => r.status === "fulfilled");
    expect(done).toHaveLength(1);
    const { caseId, caseCode } = (done[0] as PromiseFulfilledResult<{ caseId: string; caseCode: string }>).value;
    const again = await refusal(clerk.appointments.receive.mutate({ ...receive, version: arrived.version + 1 }));
    expect(again).toMatchObject({ appCode: "CONFLICT", zh: expect.stringContaining(caseCode) });
    const registered = await clerk.cases.get.query({ id: caseId });
    expect(registered).toMatchObject({ channel: "online", code: caseCode });
    expect(registered.parties[0]).toMatchObject({ role: "applicant", name: "王**", phone: "138****5678" });
    // The room booking passes to the case (its first session), and the person follows the case.
    const [room] = await api.db.admin<{ case_id: string }[]>`select b.case_id from app.bookings b
      join app.appointments a on a.room_booking_id = b.id where a.code = ${made.code}`;
    expect(room!.case_id).toBe(caseId);
    const followed = await post("/public/booking/lookup", { code: made.code, phoneLast4: "5678" });
    expect(await followed.json()).toMatchObject({ status: "converted", caseCode });
    const traced = await post("/public/lookup", { code: caseCode, phoneLast4: "5678" });
    expect(traced.status).toBe(200);
    const [{ n }] = (await api.db.admin`select count(*)::int as n from app.cases
      where title = '婚姻家庭纠纷（网上预约）'`) as unknown as [{ n: number }];
    expect(n).toBe(1);
  });

  it("tells the centre's clerks of a new booking live, and no one of a refused one", async () => {
    const clerkCookie = await api.login("yumen.clerk");
    const clerk = api.client(clerkCookie);
    const mediator = api.client(await api.login("yumen.mediator"));
    const stream = await listenEvents(api, clerkCookie);
    try {
      const slot = freshSlot("visit");
      const made = await booked(body(slot));
      const event = JSON.parse((await stream.next()).data) as { id: number };
      const inbox = await clerk.escalation.inbox.query({ limit: 5 });
      const item = inbox.items.find((i) => i.id === event.id)!;
      expect(item).toMatchObject({ kind: "appointment.booked", caseId: null, read: false });
      // Code, day and time in China time, and what was booked.
      const at = new Date(new Date(slot.startsAt).getTime() + 8 * 3600e3).toISOString();
      expect(item.title).toBe(`网上预约：${made.code} ${at.slice(0, 10)} ${at.slice(11, 16)} ${offer("visit").title}`);
      expect(inbox.unreadByKind["appointment.booked"]).toBeGreaterThanOrEqual(1);
      // Addressed to the clerks, not to the centre's every user.
      const theirs = await mediator.escalation.inbox.query({ limit: 50 });
      expect(theirs.items.some((i) => i.title.includes(made.code))).toBe(false);
      // A retry under the same key, and a refused booking, tell no one again.
      const [{ n: before }] = (await api.db.admin`select count(*)::int as n from app.notifications
        where kind = 'appointment.booked'`) as unknown as [{ n: number }];
      const refused = await book(body(slot, { categoryCode: "no_such_category" }));
      expect(refused.status).toBe(400);
      const [{ n: after }] = (await api.db.admin`select count(*)::int as n from app.notifications
        where kind = 'appointment.booked'`) as unknown as [{ n: number }];
      expect(after).toBe(before);
    } finally {
      stream.close();
    }
  });

  it("tells a centre without an active clerk as a unit", async () => {
    await api.db.admin`update app.users set status = 'disabled' where username = 'yumen.clerk'`;
    try {
      const made = await booked(body(freshSlot("visit")));
      const rows = await api.db.admin<{ user_id: string | null; scope_code: string }[]>`select user_id, scope_code
        from app.notifications where kind = 'appointment.booked' and title like ${`%${made.code}%`}`;
      expect(rows).toEqual([{ user_id: null, scope_code: YUMEN }]);
    } finally {
      await api.db.admin`update app.users set status = 'active' where username = 'yumen.clerk'`;
    }
  });

  it("cancels with a reason and refuses a no-show before the slot", async () => {
    const made = await booked(body(freshSlot("visit")));
    const clerk = api.client(await api.login("yumen.clerk"));
    const mine = (await clerk.appointments.list.query({ from: chinaToday(), to: addDays(chinaToday(), 15) })).find(
      (a) => a.code === made.code,
    )!;
    const early = await refusal(
      clerk.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "no_show" }),
    );
    expect(early.fields?.[0]?.path).toBe("status");
    const noReason = await refusal(
      clerk.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "cancelled" }),
    );
    expect(noReason.fields?.[0]?.path).toBe("reason");
    const cancelled = await clerk.appointments.mark.mutate({
      id: mine.id,
      version: mine.version,
      status: "cancelled",
      reason: "当事人来电取消",
    });
    expect(cancelled).toMatchObject({ status: "cancelled", cancelReason: "当事人来电取消" });
  });

  it("keeps each centre's bookings to its tree, and lets only the centre act on them", async () => {
    const made = await booked(body(freshSlot("visit")));
    const clerk = api.client(await api.login("yumen.clerk"));
    const range = { from: chinaToday(), to: addDays(chinaToday(), 15) };
    const mine = (await clerk.appointments.list.query(range)).find((a) => a.code === made.code)!;
    const me = await clerk.auth.me.query();
    // Another deployment: nothing, and the booking does not exist for it.
    const yongji = api.client(await api.login("yongji.admin"));
    expect(await yongji.appointments.list.query(range)).toEqual([]);
    expect((await refusal(yongji.appointments.list.query({ ...range, tenantId: me.tenant!.id }))).appCode).toBe(
      "NOT_FOUND",
    );
    expect(
      (await refusal(yongji.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "arrived" })))
        .appCode,
    ).toBe("NOT_FOUND");
    // A township below: not the county's bookings.
    const town = api.client(await api.login("yumenzhen.admin"));
    expect(await town.appointments.list.query(range)).toEqual([]);
    expect(
      (await refusal(town.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "arrived" }))).appCode,
    ).toBe("NOT_FOUND");
    // The city above reads them but does not act on them.
    const city = api.client(await api.login("jiuquan.admin"));
    expect((await city.appointments.list.query({ ...range, tenantId: me.tenant!.id })).map((a) => a.code)).toContain(
      made.code,
    );
    expect(
      (await refusal(city.appointments.mark.mutate({ id: mine.id, version: mine.version, status: "arrived" }))).appCode,
    ).toBe("FORBIDDEN");
    // An auditor holds no booking permission at all.
    const auditor = api.client(await api.login("yumen.auditor"));
    expect((await refusal(auditor.appointments.list.query(range))).appCode).toBe("FORBIDDEN");
  });
});
