import { readFile } from "node:fs/promises";
import exifReader from "exif-reader";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPhotoPool, isHeif, type PhotoPool, positionFromExif } from "./photos.ts";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

// Field reports from a phone with photos (issue 13 §2): up to nine photos, checked by their
// content (not the name or the browser's type), size-limited, stored without any metadata; the
// GPS position a photo carries becomes the event's position when the report gave none; one
// request per report under its Idempotency-Key, so a resend registers nothing twice.

let api: TestApi;
let grid: string;
let photos: PhotoPool;

beforeAll(async () => {
  photos = createPhotoPool({ threads: 1 });
  api = await startTestApi({ app: { photos } });
  grid = await api.login("cun.grid");
});
afterAll(async () => {
  await photos.close();
  await api.close();
});

/** EXIF rationals "d/1 m/1 s/100" of a coordinate in degrees. */
function dms(value: number): string {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 10000);
  return `${d}/1 ${m}/1 ${s}/10000`;
}

/** A real JPEG as a phone writes it: camera, time and GPS in its EXIF. */
async function phoneJpeg(at: { lat: number; lng: number } | null, colour = "#3a7") {
  const gps = at
    ? {
        IFD3: {
          GPSLatitudeRef: at.lat < 0 ? "S" : "N",
          GPSLatitude: dms(at.lat),
          GPSLongitudeRef: at.lng < 0 ? "W" : "E",
          GPSLongitude: dms(at.lng),
        },
      }
    : {};
  return sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: "HUAWEI", Model: "SecretPhone-X9", Software: "ExifLeakTest", DateTime: "2026:11:30 09:15:00" },
      ...gps,
    })
    .toBuffer();
}

const YUMEN_VILLAGE = { lat: 40.283456, lng: 97.045812 };

function reportForm(
  report: Record<string, unknown>,
  photos: { bytes: Uint8Array; name: string; type?: string }[],
  position: { lat: number; lng: number; accuracy?: number } | null = null,
) {
  const form = new FormData();
  form.append("report", JSON.stringify({ report, position }));
  for (const p of photos) form.append("photo", new File([p.bytes], p.name, { type: p.type ?? "image/jpeg" }));
  return form;
}

const send = (form: FormData, key: string | null, cookie = grid) =>
  api.request("/field-reports", {
    method: "POST",
    cookie,
    body: form,
    ...(key ? { headers: { "idempotency-key": key } } : {}),
  });

type Sent = { id: string; code: string; replayed: boolean; photos: number; position: unknown };

describe("field reports with photos", () => {
  it("keeps the photos without their metadata and places the event where the first photo was taken", async () => {
    const first = await phoneJpeg(YUMEN_VILLAGE);
    const second = await phoneJpeg({ lat: 40.3, lng: 97.1 }, "#a33");
    // What the test photo carries: the camera and the position (the library wrote real EXIF).
    const original = exifReader((await sharp(first).metadata()).exif!);
    expect(original.Image?.Model).toBe("SecretPhone-X9");
    expect(positionFromExif((await sharp(first).metadata()).exif)).toEqual(YUMEN_VILLAGE);

    const res = await send(
      reportForm(villageDispute("村口路灯损坏 #P1"), [
        { bytes: first, name: "IMG_0001.jpg" },
        { bytes: second, name: "IMG_0002.jpg" },
      ]),
      "field-report-p1-0001",
    );
    expect(res.status).toBe(201);
    const sent = (await res.json()) as Sent;
    expect(sent).toMatchObject({ replayed: false, photos: 2, position: { ...YUMEN_VILLAGE, source: "photo" } });

    // The operation log names the report's case, like a registration through tRPC.
    const [logged] = await api.db.admin<{ result: string; object: string }[]>`select detail->>'result' as result,
        detail->>'object' as object from app.audit_events where kind = 'op.cases.field_report' and subject_id = ${sent.id}`;
    expect(logged).toEqual({ result: "ok", object: expect.stringContaining("村口路灯损坏 #P1") });
    const [c] = await api.db.admin<{ latitude: number; longitude: number; position_source: string }[]>`
      select latitude, longitude, position_source from app.cases where id = ${sent.id}`;
    expect(c).toEqual({ latitude: YUMEN_VILLAGE.lat, longitude: YUMEN_VILLAGE.lng, position_source: "photo" });

    const files = await api.db.admin<{ id: string; mime: string; filename: string }[]>`
      select id, mime, filename from app.attachments where case_id = ${sent.id} order by filename`;
    expect(files.map((f) => [f.mime, f.filename])).toEqual([
      ["image/jpeg", "现场照片-1.jpg"],
      ["image/jpeg", "现场照片-2.jpg"],
    ]);
    for (const f of files) {
      const down = await api.request(`/attachments/${f.id}`, { cookie: grid });
      expect(down.status).toBe(200);
      const bytes = Buffer.from(await down.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      // Still the picture, now without EXIF (no camera, no time, no position), XMP, IPTC or ICC.
      expect(meta).toMatchObject({ format: "jpeg", width: 320, height: 240 });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.iptc).toBeUndefined();
      expect(bytes.includes("SecretPhone-X9")).toBe(false);
      expect(bytes.includes("HUAWEI")).toBe(false);
    }

    // The case detail shows the position with its source.
    const detail = await api.client(grid).cases.get.query({ id: sent.id });
    expect(detail.position).toEqual({ ...YUMEN_VILLAGE, source: "photo" });
  });

  it("keeps the phone's own position over a photo's, and a photo without GPS leaves no position", async () => {
    const phone = { lat: 40.27, lng: 97.03, accuracy: 15 };
    const res = await send(
      reportForm(villageDispute("渠道堵塞 #P2"), [{ bytes: await phoneJpeg(YUMEN_VILLAGE), name: "a.jpg" }], phone),
      "field-report-p2-0001",
    );
    expect(res.status).toBe(201);
    expect(((await res.json()) as Sent).position).toEqual({ lat: 40.27, lng: 97.03, source: "device" });

    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const plain = await send(
      reportForm(villageDispute("墙体开裂 #P3"), [
        { bytes: await phoneJpeg(null), name: "b.jpg" },
        { bytes: png, name: "c.png" },
      ]),
      "field-report-p3-0001",
    );
    expect(plain.status).toBe(201);
    const sent = (await plain.json()) as Sent;
    expect(sent).toMatchObject({ photos: 2, position: null });
    const mimes = await api.db.admin<{ mime: string }[]>`select mime from app.attachments where case_id = ${sent.id}
      order by filename`;
    expect(mimes.map((m) => m.mime)).toEqual(["image/jpeg", "image/png"]);
  });

  it("accepts a phone's HEIC photo: decoded, turned upright, stored as a JPG without metadata, its GPS the event's position", async () => {
    // A real HEIC as a phone writes it (apps/api/fixtures/README.md says how it was made): HEVC,
    // 160×96 sensor pixels (red left, blue right) with a rotation (irot) to portrait, and EXIF
    // with the camera, an orientation that repeats the rotation, and GPS.
    const heic = await readFile(new URL("../fixtures/phone-portrait.heic", import.meta.url));
    expect(isHeif(heic)).toBe(true);
    expect(heic.subarray(4, 12).toString("latin1")).toBe("ftypheic");
    const meta = await sharp(heic).metadata();
    expect(meta).toMatchObject({ format: "heif", compression: "hevc" });
    expect(exifReader(meta.exif!).Image?.Model).toBe("SecretPhone-X9");
    const taken = { lat: 40.2864, lng: 97.045811 };
    expect(positionFromExif(meta.exif)).toEqual(taken);

    const before = photos.stats().completed;
    const res = await send(
      reportForm(villageDispute("河道垃圾 #H1"), [{ bytes: heic, name: "IMG_4032.HEIC", type: "image/heic" }]),
      "field-report-h1-0001",
    );
    expect(res.status).toBe(201);
    // Decoded in the photo pool's thread, not on the thread that answers requests.
    expect(photos.stats()).toMatchObject({ completed: before + 1, threads: 1, running: 0, queued: 0 });
    const sent = (await res.json()) as Sent;
    expect(sent).toMatchObject({ replayed: false, photos: 1, position: { ...taken, source: "photo" } });
    const [file] = await api.db.admin<{ id: string; mime: string; filename: string }[]>`
      select id, mime, filename from app.attachments where case_id = ${sent.id}`;
    expect(file).toMatchObject({ mime: "image/jpeg", filename: "现场照片-1.jpg" });
    const down = await api.request(`/attachments/${file!.id}`, { cookie: grid });
    expect(down.status).toBe(200);
    const stored = Buffer.from(await down.arrayBuffer());
    const storedMeta = await sharp(stored).metadata();
    // Upright once: portrait, the sensor's left (red) now on top; not turned again by the EXIF orientation.
    expect(storedMeta).toMatchObject({ format: "jpeg", width: 96, height: 160 });
    expect(storedMeta.exif).toBeUndefined();
    expect(storedMeta.xmp).toBeUndefined();
    expect(stored.includes("SecretPhone-X9")).toBe(false);
    const { data } = await sharp(stored).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3)];
    const [topR, , topB] = pixel(48, 20);
    const [bottomR, , bottomB] = pixel(48, 140);
    expect(topR).toBeGreaterThan(150);
    expect(topB).toBeLessThan(100);
    expect(bottomB).toBeGreaterThan(150);
    expect(bottomR).toBeLessThan(100);
  });

  it("refuses a HEIC that does not decode or declares too many pixels, with a clear 400", async () => {
    const heic = await readFile(new URL("../fixtures/phone-portrait.heic", import.meta.url));
    const report = villageDispute("拒收 #H2");
    const refused = async (bytes: Buffer, key: string, zh: string) => {
      const res = await send(reportForm(report, [{ bytes, name: "x.heic", type: "image/heic" }]), key);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { zh: string; en: string };
      expect(body.zh).toContain(zh);
      expect(body.en).toMatch(/Photo 1/);
    };
    // Its header and boxes, the picture cut off.
    await refused(heic.subarray(0, heic.byteLength - 200), "k-h2-0001", "第1张照片不是可识别的");
    // The ftyp box alone.
    await refused(heic.subarray(0, 28), "k-h2-0002", "第1张照片不是可识别的");
    // A size (ispe) of 9000×9000 declared: refused before anything is decoded.
    const bomb = Buffer.from(heic);
    const ispe = bomb.indexOf("ispe");
    expect(ispe).toBeGreaterThan(0);
    bomb.writeUInt32BE(9000, ispe + 8);
    bomb.writeUInt32BE(9000, ispe + 12);
    await refused(bomb, "k-h2-0003", "像素过多");
    const [n] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.cases where title = '拒收 #H2'`;
    expect(n!.n).toBe(0);
  });

  it("a resend under the same key returns the first case and adds no photo; other photos under it are refused", async () => {
    const photo = await phoneJpeg(YUMEN_VILLAGE);
    const form = () => reportForm(villageDispute("垃圾堆放 #P4"), [{ bytes: photo, name: "p.jpg" }]);
    const first = (await (await send(form(), "field-report-p4-0001")).json()) as Sent;
    const again = await send(form(), "field-report-p4-0001");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...first, replayed: true });
    const [n] = await api.db.admin<{ cases: number; photos: number }[]>`
      select (select count(*)::int from app.cases where title = '垃圾堆放 #P4') as cases,
        (select count(*)::int from app.attachments where case_id = ${first.id}) as photos`;
    expect(n).toEqual({ cases: 1, photos: 1 });

    const other = await send(
      reportForm(villageDispute("垃圾堆放 #P4"), [{ bytes: await phoneJpeg(YUMEN_VILLAGE, "#123"), name: "p.jpg" }]),
      "field-report-p4-0001",
    );
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ code: "CONFLICT", zh: expect.stringContaining("幂等键") });
  });

  it("refuses what is not a photo, too many or too large photos, and a report without its key, each with a clear 4xx", async () => {
    const jpeg = await phoneJpeg(YUMEN_VILLAGE);
    const refusal = async (res: Response, status: number, zh: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { zh: string; en: string };
      expect(body.zh).toContain(zh);
      expect(body.en.length).toBeGreaterThan(5);
    };
    const report = villageDispute("拒收 #P5");
    // A script named and typed as a photo: its content decides.
    await refusal(
      await send(
        reportForm(report, [{ bytes: new TextEncoder().encode("<script>x</script>"), name: "x.jpg" }]),
        "k-p5-0001",
      ),
      400,
      "第1张照片不是可识别的",
    );
    // A JPEG's first bytes with nothing decodable behind them.
    const broken = Buffer.concat([jpeg.subarray(0, 200), Buffer.alloc(2000, 0x41)]);
    await refusal(
      await send(
        reportForm(report, [
          { bytes: jpeg, name: "ok.jpg" },
          { bytes: broken, name: "bad.jpg" },
        ]),
        "k-p5-0002",
      ),
      400,
      "第2张照片不是可识别的",
    );
    // A PDF is an attachment, not a photo.
    const pdf = new TextEncoder().encode("%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF");
    await refusal(await send(reportForm(report, [{ bytes: pdf, name: "p.pdf" }]), "k-p5-0003"), 400, "不是可识别的");
    const ten = Array.from({ length: 10 }, (_, i) => ({ bytes: jpeg, name: `${i}.jpg` }));
    await refusal(await send(reportForm(report, ten), "k-p5-0004"), 400, "最多9张");
    const huge = Buffer.concat([jpeg, Buffer.alloc(10 * 1024 * 1024, 0)]);
    await refusal(await send(reportForm(report, [{ bytes: huge, name: "big.jpg" }]), "k-p5-0005"), 413, "10MB");
    await refusal(await send(reportForm(report, [{ bytes: jpeg, name: "a.jpg" }]), null), 400, "Idempotency-Key");
    await refusal(
      await api.request("/field-reports", {
        method: "POST",
        cookie: grid,
        headers: { "idempotency-key": "k-p5-0006", "content-type": "application/json" },
        body: JSON.stringify({ report }),
      }),
      400,
      "multipart",
    );
    const invalid = reportForm({ ...report, title: "" }, []);
    expect((await send(invalid, "k-p5-0007")).status).toBe(400);
    // Nothing of all that was registered.
    const [n] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.cases where title = '拒收 #P5'`;
    expect(n!.n).toBe(0);
  });

  it("only a role that registers and attaches sends field reports", async () => {
    const auditor = await api.login("yumen.auditor");
    const res = await send(reportForm(villageDispute("审计员 #P6"), []), "k-p6-0001", auditor);
    expect(res.status).toBe(403);
    expect((await send(reportForm(villageDispute("匿名 #P6"), []), "k-p6-0002", "")).status).toBe(401);
  });
});

// The photo pool (photos.ts): a HEIC's decoding runs in libheif's WebAssembly on the thread that
// calls it, 5 s for the 14 KB fixture below; in a worker thread it blocks only that thread, which
// is terminated once the photo's time is up, and a full queue is a 503, not a wait without end.
describe("the photo pool", () => {
  // 7680×7680 of one flat colour (59 MP, under the pixel limit) in 14 KB: cheap to send, seconds to decode.
  const hostile = () => readFile(new URL("../fixtures/flat-7680.heic", import.meta.url));
  /** A second API on the same database with a pool of its own: one thread, a short time per photo. */
  async function tightApi(options: { queue?: number }) {
    const pool = createPhotoPool({ threads: 1, timeoutMs: 1500, ...options });
    const tight = await startTestApi({ db: api.db, demo: false, app: { photos: pool } });
    const post = (bytes: Buffer, name: string, key: string) =>
      tight.request("/field-reports", {
        method: "POST",
        cookie: grid,
        body: reportForm(villageDispute("超时 #T1"), [{ bytes, name, type: "image/heic" }]),
        headers: { "idempotency-key": key },
      });
    return { pool, tight, post };
  }
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 600 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(what()).toBe(true);
  };

  it("stops a photo that takes too long with a 400 while other requests are answered, then decodes the next", async () => {
    const { pool, tight, post } = await tightApi({});
    try {
      const slow = post(await hostile(), "IMG_9999.HEIC", "k-t1-0001");
      await until(() => pool.stats().running === 1);
      // The server answers while the photo is being decoded (its thread, not this one, is busy).
      const health = await tight.request("/healthz");
      expect(health.status).toBe(200);
      expect((await tight.client(grid).auth.me.query()).username).toBe("cun.grid");
      expect(pool.stats().running).toBe(1);

      const res = await slow;
      expect(res.status).toBe(400);
      const body = (await res.json()) as { zh: string; en: string };
      expect(body.zh).toContain("第1张照片处理超时");
      expect(body.en).toContain("Photo 1 took too long");
      expect(pool.stats()).toMatchObject({ timedOut: 1, running: 0 });

      // The terminated thread is replaced: a phone's HEIC goes through as before.
      const heic = await readFile(new URL("../fixtures/phone-portrait.heic", import.meta.url));
      expect((await post(heic, "IMG_1.HEIC", "k-t1-0002")).status).toBe(201);
      const [n] = await api.db.admin<
        { n: number }[]
      >`select count(*)::int as n from app.cases where title = '超时 #T1'`;
      expect(n!.n).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("refuses a photo with a 503 and Retry-After when the queue is full, and a closed pool refuses likewise", async () => {
    const { pool, post } = await tightApi({ queue: 1 });
    try {
      const bytes = await hostile();
      const first = post(bytes, "a.heic", "k-t2-0001");
      await until(() => pool.stats().running === 1);
      const second = post(bytes, "b.heic", "k-t2-0002");
      await until(() => pool.stats().queued === 1);
      const third = await post(await phoneJpeg(YUMEN_VILLAGE), "c.jpg", "k-t2-0003");
      expect(third.status).toBe(503);
      expect(third.headers.get("retry-after")).toBe("10");
      const body = (await third.json()) as { code: string; zh: string; en: string };
      expect(body).toMatchObject({ code: "UNAVAILABLE", zh: expect.stringContaining("照片处理繁忙") });
      expect(body.en).toContain("Photo processing is busy");
      expect(pool.stats().refusedBusy).toBe(1);
      // The two in the pool each get their own time, the second's from when its thread took it.
      expect((await first).status).toBe(400);
      expect((await second).status).toBe(400);
      expect(pool.stats()).toMatchObject({ timedOut: 2, running: 0 });
      await until(() => pool.stats().queued === 0);

      // Shut down: the threads end, and a photo after that is refused, not left waiting.
      const running = post(bytes, "d.heic", "k-t2-0004");
      await until(() => pool.stats().running === 1);
      await pool.close();
      expect(pool.stats().threads).toBe(0);
      expect((await running).status).toBe(503);
      expect((await post(bytes, "e.heic", "k-t2-0005")).status).toBe(503);
    } finally {
      await pool.close();
    }
  });
});
