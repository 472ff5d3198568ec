import { describe, expect, it } from "vitest";
import type { CaseRegistration } from "./api.ts";
import { enqueue, flush, type QueuedReport, type QueueStore, type SendOutcome } from "./field-queue.ts";

function memoryStore(): QueueStore {
  let state = {
    queued: [] as QueuedReport[],
    sent: [] as { key: string; code: string; title: string; sentAt: string }[],
  };
  return {
    read: () => structuredClone(state),
    write: (next) => {
      state = structuredClone(next);
    },
  };
}
const report = (title: string): CaseRegistration => ({
  title,
  categoryCode: "other",
  channel: "grid_patrol",
  description: title,
  locationCode: "620981",
  parties: [{ role: "applicant", kind: "person", name: "张三" }],
});

describe("the field-report queue", () => {
  it("keeps reports while offline, sends each once with its own key, and keeps a refused one", async () => {
    const store = memoryStore();
    const a = enqueue(store, report("井盖丢失"));
    const b = enqueue(store, report("楼道堆物"));
    const c = enqueue(store, report("无效"));
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);

    const calls: string[] = [];
    let online = false;
    const send = async (r: QueuedReport): Promise<SendOutcome> => {
      calls.push(r.key);
      if (!online) return { ok: false, offline: true };
      if (r.input.title === "无效") return { ok: false, refused: "纠纷类别不存在" };
      return { ok: true, code: `620981101001-2026-00000${calls.length}` };
    };
    expect(await flush(store, send)).toEqual({ sent: 0, left: 3 });
    expect(calls).toEqual([a.key]);
    online = true;
    expect(await flush(store, send)).toEqual({ sent: 2, left: 1 });
    expect(calls).toEqual([a.key, a.key, b.key, c.key]);
    const state = store.read();
    expect(state.sent.map((s) => s.key)).toEqual([b.key, a.key]);
    expect(state.queued).toEqual([{ ...c, refused: "纠纷类别不存在" }]);
    // Nothing is sent twice: a refused report waits for the user, sent ones are gone.
    calls.length = 0;
    expect(await flush(store, send)).toEqual({ sent: 0, left: 1 });
    expect(calls).toEqual([]);
  });

  it("keeps a report the server cannot take now (busy, unavailable, signed out) queued, and sends it later", async () => {
    const store = memoryStore();
    const a = enqueue(store, report("井盖丢失"));
    const b = enqueue(store, report("楼道堆物"));
    let busy = true;
    const calls: string[] = [];
    const send = async (r: QueuedReport): Promise<SendOutcome> => {
      calls.push(r.key);
      if (busy) return { ok: false, later: "照片处理繁忙，上报未保存，请稍后重试" };
      return { ok: true, code: `620981101001-2026-00000${calls.length}` };
    };
    expect(await flush(store, send)).toEqual({ sent: 0, left: 2, later: "照片处理繁忙，上报未保存，请稍后重试" });
    expect(calls).toEqual([a.key]);
    expect(store.read().queued.map((r) => [r.key, r.refused])).toEqual([
      [a.key, undefined],
      [b.key, undefined],
    ]);
    busy = false;
    expect(await flush(store, send)).toEqual({ sent: 2, left: 0 });
    expect(calls).toEqual([a.key, a.key, b.key]);
  });
});
