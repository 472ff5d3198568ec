import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { SATISFACTIONS, type Satisfaction } from "@zongzhi/domain/case-records";
import { trackLengthMetres } from "@zongzhi/domain/geo";
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { type CaseRegistration, errorCode, HttpError, type Me, sendFieldReport, trpc } from "../api.ts";
import { categoryOptions } from "../components/case-common.tsx";
import { errorText, Forbidden } from "../components/page.tsx";
import { useMe } from "../components/shell.tsx";
import {
  browserPhotoStore,
  discard,
  enqueue,
  flush,
  localQueueStore,
  type PhotoStore,
  type QueuedReport,
  type SendOutcome,
} from "../field-queue.ts";
import { formatDateTime, t } from "../i18n.ts";
import { can } from "../session.ts";
import "./field-report.css";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";

/** /report: a grid worker's field report from the phone (现场上报), queued offline. */
export function FieldReportPage() {
  const me = useMe();
  return (
    <Show when={me().tenant && can(me(), "case.register") ? me() : null} fallback={<Forbidden />}>
      {(m) => <FieldReport me={m()} />}
    </Show>
  );
}

/** Most photos on one report, and the largest one (the server checks both again). */
const MAX_PHOTOS = 9;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/**
 * Sends one queued report with its photos; a refusal is kept with its message, a network failure
 * leaves it queued. The photos leave the browser's store once the server has the report.
 */
async function send(report: QueuedReport, photos: PhotoStore): Promise<SendOutcome> {
  if (!navigator.onLine) return { ok: false, offline: true };
  try {
    const files = report.photos ? await photos.load(report.key) : [];
    const { code } = await sendFieldReport(
      { input: report.input, position: report.position ?? null },
      files,
      report.key,
    );
    await photos.remove(report.key);
    return { ok: true, code };
  } catch (error) {
    const code = errorCode(error);
    if (code === "NETWORK") return { ok: false, offline: true };
    // Not a verdict on the report: it stays queued and goes out again (under the same key).
    const status = error instanceof HttpError ? error.status : 0;
    if (LATER.has(code) || status >= 500) return { ok: false, later: errorText(error) };
    return { ok: false, refused: errorText(error) };
  }
}

/** Answers that say "not now" (busy, briefly unavailable, too many at once, signed out), not "no". */
const LATER = new Set(["UNAVAILABLE", "RATE_LIMITED", "UNAUTHENTICATED"]);
/** How long the page waits before sending again after such an answer. */
const RETRY_LATER_MS = 30_000;

function FieldReport(props: { me: Me }) {
  const store = localQueueStore(props.me.id);
  const photoStore = browserPhotoStore(props.me.id);
  const [photos, setPhotos] = createSignal<File[]>([]);
  const [state, setState] = createSignal(store.read());
  const [online, setOnline] = createSignal(navigator.onLine);
  const [category, setCategory] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [gridId, setGridId] = createSignal("");
  const [position, setPosition] = createSignal<{ lat: number; lng: number; accuracy: number } | null>(null);
  const [locating, setLocating] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const [sending, setSending] = createSignal(false);
  const grids = createQuery(() => ({
    queryKey: ["grids.list", "own"],
    queryFn: () => trpc.grids.list.query(),
    enabled: can(props.me, "grid.read"),
  }));
  const ownGrids = () =>
    (grids.data ?? []).filter((g) => g.active && g.scopeCode.startsWith(props.me.tenant?.code ?? ""));

  const refresh = () => setState(store.read());
  const [later, setLater] = createSignal<string | null>(null);
  let retry: ReturnType<typeof setTimeout> | undefined;
  const sendAll = async () => {
    if (sending()) return;
    setSending(true);
    clearTimeout(retry);
    try {
      const outcome = await flush(store, (r) => send(r, photoStore));
      setLater(outcome.later ?? null);
      if (outcome.later) retry = setTimeout(() => void sendAll(), RETRY_LATER_MS);
    } finally {
      setSending(false);
      refresh();
    }
  };
  const goneOnline = () => {
    setOnline(true);
    void sendAll();
  };
  const goneOffline = () => setOnline(false);
  onMount(() => {
    window.addEventListener("online", goneOnline);
    window.addEventListener("offline", goneOffline);
    // Reports left from an earlier visit go out as soon as the page opens.
    void sendAll();
  });
  onCleanup(() => {
    clearTimeout(retry);
    window.removeEventListener("online", goneOnline);
    window.removeEventListener("offline", goneOffline);
  });

  const locate = () => {
    if (!navigator.geolocation) return setProblem(t("field.noGeolocation"));
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        setPosition({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.round(p.coords.accuracy) });
      },
      () => {
        setLocating(false);
        setProblem(t("field.locateFailed"));
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  const addPhotos = (input: HTMLInputElement) => {
    const picked = [...(input.files ?? [])];
    input.value = "";
    setProblem(null);
    if (picked.some((f) => f.size > MAX_PHOTO_BYTES)) setProblem(t("field.photoTooLarge"));
    const next = [...photos(), ...picked.filter((f) => f.size <= MAX_PHOTO_BYTES)];
    if (next.length > MAX_PHOTOS) setProblem(t("field.tooManyPhotos", { n: MAX_PHOTOS }));
    setPhotos(next.slice(0, MAX_PHOTOS));
  };

  const submit = async () => {
    setProblem(null);
    const text = description().trim();
    if (!category()) return setProblem(t("field.categoryRequired"));
    if (text.length < 4) return setProblem(t("field.descriptionRequired"));
    const grid = ownGrids().find((g) => g.id === gridId());
    const p = position();
    const where = grid ? `${grid.name}（${grid.code}）` : null;
    const key = crypto.randomUUID();
    const attached = photos();
    // The photos are stored first: the report is queued (and may be sent) only once they are there.
    if (attached.length > 0) {
      try {
        await photoStore.save(key, attached);
      } catch {
        return setProblem(t("field.photoStoreFailed"));
      }
    }
    const input: CaseRegistration = {
      categoryCode: category(),
      channel: "grid_patrol",
      title: (text.split("\n")[0] ?? text).slice(0, 40),
      description: text,
      // The grid's unit (a village's own grid) or the worker's own unit.
      locationCode: grid?.scopeCode ?? props.me.tenant!.code,
      address: where ? where.slice(0, 200) : null,
      peopleCount: 1,
      groupDispute: false,
      riskGrade: "none",
      difficulty: "simple",
      parties: [{ role: "applicant", kind: "person", name: props.me.displayName }],
    };
    enqueue(store, input, {
      key,
      position: p ? { lat: p.lat, lng: p.lng, accuracy: p.accuracy } : null,
      photos: attached.length,
    });
    setDescription("");
    setPosition(null);
    setPhotos([]);
    refresh();
    void sendAll();
  };

  return (
    <div class="field-report">
      <h1 class="field-title">{t("field.title")}</h1>
      <p class={online() ? "field-net field-net-on" : "field-net field-net-off"} role="status">
        {online() ? t("field.online") : t("field.offline")}
      </p>
      <Form class="field-form" onSubmit={() => void submit()} noValidate>
        <label class="field-label-lg" for="field-category">
          {t("field.category")}
        </label>
        <select
          id="field-category"
          class="field-control"
          value={category()}
          onChange={(e) => setCategory(e.currentTarget.value)}
        >
          <option value="">{t("field.pickCategory")}</option>
          <For each={categoryOptions()}>{(c) => <option value={c.value}>{c.label}</option>}</For>
        </select>
        <label class="field-label-lg" for="field-description">
          {t("field.description")}
        </label>
        <textarea
          id="field-description"
          class="field-control field-textarea"
          rows={5}
          maxLength={5000}
          value={description()}
          onInput={(e) => setDescription(e.currentTarget.value)}
          placeholder={t("field.descriptionHint")}
        />
        <Show when={ownGrids().length > 0}>
          <label class="field-label-lg" for="field-grid">
            {t("field.grid")}
          </label>
          <select
            id="field-grid"
            class="field-control"
            value={gridId()}
            onChange={(e) => setGridId(e.currentTarget.value)}
          >
            <option value="">{t("field.noGrid")}</option>
            <For each={ownGrids()}>{(g) => <option value={g.id}>{`${g.name}（${g.code}）`}</option>}</For>
          </select>
        </Show>
        <button type="button" class="field-button field-button-secondary" onClick={locate} disabled={locating()}>
          {locating() ? t("field.locating") : t("field.locate")}
        </button>
        <Show when={position()}>
          {(p) => (
            <p class="field-position">
              {t("field.positionText", { lat: p().lat.toFixed(5), lng: p().lng.toFixed(5), m: p().accuracy })}
            </p>
          )}
        </Show>
        <input
          id="field-photos"
          class="field-photo-input"
          type="file"
          accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
          multiple
          onChange={(e) => addPhotos(e.currentTarget)}
        />
        <label class="field-button field-button-secondary field-photo-pick" for="field-photos">
          {t("field.addPhotos", { n: photos().length, max: MAX_PHOTOS })}
        </label>
        <Show when={photos().length > 0}>
          <ul class="field-photos" data-testid="field-photos">
            <For each={photos()}>
              {(file, i) => (
                <li>
                  <span>{file.name || t("field.photoN", { n: i() + 1 })}</span>
                  <button
                    type="button"
                    class="field-button field-button-secondary"
                    onClick={() => setPhotos(photos().filter((_, j) => j !== i()))}
                  >
                    {t("field.removePhoto")}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={problem()}>
          <p class="field-problem" role="alert">
            {problem()}
          </p>
        </Show>
        <button type="submit" class="field-button field-button-primary">
          {t("field.submit")}
        </button>
      </Form>

      <ConfirmOnSite />
      <Show when={can(props.me, "patrol.record")}>
        <RecordPatrol />
      </Show>

      <Section
        id="field-queue-title"
        title={t("field.queued", { n: state().queued.length })}
        class="field-queue"
        titleClass="field-subtitle"
      >
        <Show when={state().queued.length > 0}>
          <p class="field-hint">{t("field.queuedHint")}</p>
          <Show when={later()}>
            {(why) => (
              <p class="field-problem" role="status" data-testid="field-later">
                {t("field.later", { why: why() })}
              </p>
            )}
          </Show>
          <ul class="field-list" data-testid="field-queued">
            <For each={state().queued}>
              {(r) => (
                <li>
                  <strong>{r.input.title}</strong> <span class="field-hint">{formatDateTime(r.filedAt)}</span>
                  <Show when={r.photos}>
                    {(n) => <span class="field-hint"> {t("field.photoCount", { n: n() })}</span>}
                  </Show>
                  <Show when={r.refused}>
                    <p class="field-problem">{r.refused}</p>
                    <button
                      type="button"
                      class="field-button field-button-secondary"
                      onClick={() => {
                        discard(store, r.key);
                        void photoStore.remove(r.key);
                        refresh();
                      }}
                    >
                      {t("field.discard")}
                    </button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <h2 class="field-subtitle">{t("field.sent")}</h2>
        <ul class="field-list" data-testid="field-sent">
          <For each={state().sent}>
            {(s) => (
              <li>
                <code>{s.code}</code> {s.title}
              </li>
            )}
          </For>
        </ul>
      </Section>
    </div>
  );
}

/** The button of each answer a reporter gives to a resolution. */
const RATING_LABELS: Record<Satisfaction, "field.confirm" | "field.basically" | "field.reject"> = {
  satisfied: "field.confirm",
  basically_satisfied: "field.basically",
  unsatisfied: "field.reject",
};
/** The answers, the first (confirm) as the main button. */
const RATINGS = SATISFACTIONS.map((s) => [s, RATING_LABELS[s]] as const);

/** The reporter's loop: results of one's reports await confirmation on site (or rejection, 重办). */
function ConfirmOnSite() {
  const queryClient = useQueryClient();
  const reports = createQuery(() => ({ queryKey: ["cases.myReports"], queryFn: () => trpc.cases.myReports.query() }));
  const waiting = () => (reports.data ?? []).filter((r) => r.awaitingConfirmation);
  const [reasons, setReasons] = createSignal<Record<string, string>>({});
  const [problem, setProblem] = createSignal<string | null>(null);
  const answer = createMutation(() => ({
    mutationFn: (input: { caseId: string; satisfaction: Satisfaction; notes: string | null }) =>
      trpc.cases.recordFollowUp.mutate({ ...input, method: "on_site" }),
    onSuccess: () => {
      setProblem(null);
      void queryClient.invalidateQueries({ queryKey: ["cases.myReports"] });
    },
    onError: (error) => setProblem(errorText(error)),
  }));
  const rate = (caseId: string, satisfaction: Satisfaction) => {
    const notes = (reasons()[caseId] ?? "").trim();
    if (satisfaction === "unsatisfied" && notes.length < 2) return setProblem(t("field.reasonRequired"));
    answer.mutate({ caseId, satisfaction, notes: notes || null });
  };
  return (
    <Section
      id="field-confirm-title"
      title={t("field.confirmTitle", { n: waiting().length })}
      class="field-queue"
      titleClass="field-subtitle"
    >
      <ul class="field-list" data-testid="field-confirm">
        <For each={waiting()}>
          {(r) => (
            <li>
              <strong>{r.title}</strong> <code>{r.code}</code>
              <p>{t("field.outcome", { outcome: r.outcome ?? "" })}</p>
              <Show when={r.reworks > 0}>
                <p class="field-hint">{t("field.reworks", { n: r.reworks })}</p>
              </Show>
              <label class="field-label-lg" for={`reason-${r.id}`}>
                {t("field.reason")}
              </label>
              <textarea
                id={`reason-${r.id}`}
                class="field-control"
                rows={2}
                maxLength={2000}
                value={reasons()[r.id] ?? ""}
                onInput={(e) => setReasons({ ...reasons(), [r.id]: e.currentTarget.value })}
              />
              <For each={RATINGS}>
                {([satisfaction, label], i) => (
                  <button
                    type="button"
                    class={`field-button ${i() === 0 ? "field-button-primary" : "field-button-secondary"}`}
                    disabled={answer.isPending}
                    onClick={() => rate(r.id, satisfaction)}
                  >
                    {t(label)}
                  </button>
                )}
              </For>
            </li>
          )}
        </For>
      </ul>
      <Show when={problem()}>
        <p class="field-problem" role="alert">
          {problem()}
        </p>
      </Show>
    </Section>
  );
}

/** A patrol being walked: when it began and the phone's positions so far ([lng, lat]). */
interface Walk {
  startedAt: Date;
  points: number[][];
  watch: number;
}

/**
 * 巡查: a patrol recorded as a track while it is walked (the phone's positions; the server
 * measures the distance along it), or entered afterwards as minutes and metres.
 */
function RecordPatrol() {
  const [minutes, setMinutes] = createSignal("");
  const [metres, setMetres] = createSignal("");
  const [events, setEvents] = createSignal("0");
  const [message, setMessage] = createSignal<string | null>(null);
  const [walk, setWalk] = createSignal<Walk | null>(null);
  const save = createMutation(() => ({
    mutationFn: (input: Parameters<typeof trpc.patrols.record.mutate>[0]) => trpc.patrols.record.mutate(input),
    onSuccess: (saved) => {
      setMessage(t("field.patrolSaved", { m: saved.distanceMetres }));
      setMinutes("");
      setMetres("");
      setEvents("0");
    },
    onError: (error) => setMessage(errorText(error)),
  }));
  const eventsFound = () => {
    const e = Number(events());
    return Number.isInteger(e) && e >= 0 && e <= 1000 ? e : null;
  };
  const stopWatching = () => {
    const w = walk();
    if (w) navigator.geolocation.clearWatch(w.watch);
  };
  onCleanup(stopWatching);

  const startWalk = () => {
    if (!navigator.geolocation) return setMessage(t("field.noGeolocation"));
    setMessage(null);
    const watch = navigator.geolocation.watchPosition(
      (p) => {
        const w = walk();
        // A fix worse than 100 m adds more noise than way.
        if (!w || p.coords.accuracy > 100) return;
        setWalk({ ...w, points: [...w.points, [p.coords.longitude, p.coords.latitude]] });
      },
      () => setMessage(t("field.locateFailed")),
      { enableHighAccuracy: true, maximumAge: 0 },
    );
    setWalk({ startedAt: new Date(), points: [], watch });
  };
  const endWalk = () => {
    const w = walk();
    if (!w) return;
    const e = eventsFound();
    if (e === null) return setMessage(t("field.patrolInvalid"));
    stopWatching();
    setWalk(null);
    if (w.points.length < 2) return setMessage(t("field.trackTooShort"));
    save.mutate({
      startedAt: w.startedAt,
      endedAt: new Date(),
      eventsFound: e,
      track: { type: "LineString", coordinates: w.points.slice(0, 10_000) },
    });
  };

  const submit = () => {
    const m = Number(minutes());
    const d = Number(metres());
    const e = eventsFound();
    if (!(Number.isInteger(m) && m > 0 && m <= 960 && Number.isInteger(d) && d >= 0 && e !== null))
      return setMessage(t("field.patrolInvalid"));
    save.mutate({
      startedAt: new Date(Date.now() - m * 60_000),
      endedAt: new Date(),
      distanceMetres: d,
      eventsFound: e,
    });
  };
  return (
    <Section id="field-patrol-title" title={t("field.patrolTitle")} class="field-queue" titleClass="field-subtitle">
      <Form class="field-form" onSubmit={submit} noValidate>
        <label class="field-label-lg" for="patrol-events">
          {t("field.patrolEvents")}
        </label>
        <input
          id="patrol-events"
          class="field-control"
          inputMode="numeric"
          value={events()}
          onInput={(e) => setEvents(e.currentTarget.value)}
        />
        <Show
          when={walk()}
          fallback={
            <button type="button" class="field-button field-button-primary" onClick={startWalk}>
              {t("field.walkStart")}
            </button>
          }
        >
          {(w) => (
            <>
              <p class="field-position" role="status" data-testid="patrol-walk">
                {t("field.walking", { n: w().points.length, m: trackLengthMetres(w().points) })}
              </p>
              <button
                type="button"
                class="field-button field-button-primary"
                onClick={endWalk}
                disabled={save.isPending}
              >
                {t("field.walkEnd")}
              </button>
            </>
          )}
        </Show>
        <p class="field-hint">{t("field.patrolManual")}</p>
        <label class="field-label-lg" for="patrol-minutes">
          {t("field.patrolMinutes")}
        </label>
        <input
          id="patrol-minutes"
          class="field-control"
          inputMode="numeric"
          value={minutes()}
          onInput={(e) => setMinutes(e.currentTarget.value)}
        />
        <label class="field-label-lg" for="patrol-metres">
          {t("field.patrolMetres")}
        </label>
        <input
          id="patrol-metres"
          class="field-control"
          inputMode="numeric"
          value={metres()}
          onInput={(e) => setMetres(e.currentTarget.value)}
        />
        <button type="submit" class="field-button field-button-secondary" disabled={save.isPending || !!walk()}>
          {t("field.patrolSubmit")}
        </button>
        <Show when={message()}>
          <p class="field-hint" role="status">
            {message()}
          </p>
        </Show>
      </Form>
    </Section>
  );
}
