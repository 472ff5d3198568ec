import { useSearchParams } from "@solidjs/router";
import { createMutation, createQuery, keepPreviousData, useQueryClient } from "@tanstack/solid-query";
import { isoDate } from "@zongzhi/api/input";
import { clock as clockInput } from "@zongzhi/api/schemas/booking";
import { bookingInput, roomInput } from "@zongzhi/api/schemas/centre";
import { addDays, chinaToday, isIsoDate } from "@zongzhi/domain/dates";
import { createSignal, For, Show } from "solid-js";
import { trpc } from "../api.ts";
import { CheckGroup } from "../components/case-fields.tsx";
import {
  AREAS,
  type Area,
  areaName,
  type Booking,
  CentreHeader,
  CentreSection,
  centrePage,
  chinaDate,
  chinaInstant,
  chinaMinutes,
  clock,
  dayLabel,
  fullDate,
  gradeName,
  InactiveBadge,
  joinList,
  ROOM_KINDS,
  type Room,
  type RoomKind,
  roomKindName,
  useCentre,
  wholeNumber,
} from "../components/centre.tsx";
import { createEditing, EditAction, EditDialog } from "../components/config-page.tsx";
import { createDialogForm, DialogForm } from "../components/dialog-form.tsx";
import { errorText, Loading } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createRowForm, fieldCheck } from "../components/row-form.ts";
import { useMe } from "../components/shell.tsx";
import { t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog, Dialog } from "../ui/dialog.tsx";
import { InputField } from "../ui/input-field.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** Height of one hour in the day view, in pixels. */
const HOUR_PX = 48;

/** Rooms by functional area, with a day view of each room's bookings and booking by time range. */
export const CentreRoomsPage = centrePage("centre.read", RoomsView);

function RoomsView() {
  const me = useMe();
  const centre = useCentre(me);
  // The open room and day live in the address, so that a room's day can be linked and reloaded.
  const [params, setParams] = useSearchParams<{ room?: string; date?: string }>();
  const editing = createEditing<Room>();
  const rooms = createQuery(() => ({
    queryKey: ["centre.rooms", centre.current()?.id],
    queryFn: () => trpc.centre.rooms.query({ tenantId: centre.tenantId() }),
  }));
  const inArea = (area: Area) => (rooms.data ?? []).filter((r) => r.area === area);
  const selected = () => (rooms.data ?? []).find((r) => r.id === params.room) ?? null;
  const date = () => (params.date && isIsoDate(params.date) ? params.date : chinaToday());

  return (
    <>
      <CentreHeader centre={centre} words="centre.room" onAdd={editing.add} />
      <QueryState query={rooms}>
        <div class="rooms-layout">
          <div class="rooms-areas">
            <For each={AREAS}>
              {(area) => (
                <CentreSection
                  id={`area-${area}`}
                  title={areaName(area)}
                  actions={<span class="muted small">{t("centre.room.count", { n: inArea(area).length })}</span>}
                >
                  <Show
                    when={inArea(area).length > 0}
                    fallback={<p class="muted small">{t("centre.room.emptyArea")}</p>}
                  >
                    <ul class="room-list">
                      <For each={inArea(area)}>
                        {(room) => (
                          <RoomCard
                            room={room}
                            selected={selected()?.id === room.id}
                            canEdit={centre.canConfigure()}
                            onSelect={() => setParams({ room: room.id })}
                            onEdit={() => editing.edit(room)}
                          />
                        )}
                      </For>
                    </ul>
                  </Show>
                </CentreSection>
              )}
            </For>
          </div>
          <div class="rooms-timeline">
            <Show
              when={selected()}
              keyed
              fallback={
                <section class="card">
                  <p class="muted">{t("centre.booking.pickRoom")}</p>
                </section>
              }
            >
              {(room) => (
                <BookingTimeline
                  room={room}
                  date={date()}
                  setDate={(d) => setParams({ date: d })}
                  tenantId={centre.tenantId()}
                  centreId={centre.current()?.id ?? ""}
                  canBook={centre.isOwn() && can(me(), "booking.manage") && room.active}
                />
              )}
            </Show>
          </div>
        </div>
      </QueryState>
      <EditDialog editing={editing} addTitle={t("centre.room.addTitle")} editTitle={t("centre.room.editTitle")}>
        {(row, close) => <RoomForm room={row} onClose={close} />}
      </EditDialog>
    </>
  );
}

function RoomCard(props: {
  room: Room;
  selected: boolean;
  canEdit: boolean;
  onSelect: () => void;
  onEdit: () => void;
}) {
  const room = () => props.room;
  return (
    <li class="room-card" classList={{ selected: props.selected, "row-inactive": !room().active }}>
      <div class="room-card-head">
        <h3 class="room-name">{room().name}</h3>
        <div class="badge-row">
          <Badge tone="info">{roomKindName(room().kind)}</Badge>
          <InactiveBadge active={room().active} />
        </div>
      </div>
      <Show when={room().studioName}>
        <p class="room-studio">{room().studioName}</p>
      </Show>
      <p class="muted small room-meta">
        <Show when={room().chiefMediatorName}>
          <span>{t("centre.room.chiefIs", { name: room().chiefMediatorName ?? "" })}</span>
        </Show>
        <span>{t("centre.room.capacityShort", { n: room().capacity })}</span>
        <Show when={room().location}>
          <span>{room().location}</span>
        </Show>
      </p>
      <div class="room-actions">
        <Button
          size="sm"
          variant={props.selected ? "primary" : "secondary"}
          aria-pressed={props.selected}
          aria-label={t("centre.room.showBookingsLabel", { name: room().name })}
          onClick={() => props.onSelect()}
        >
          {t("centre.room.showBookings")}
        </Button>
        <Show when={props.canEdit}>
          <EditAction name={room().name} onClick={() => props.onEdit()} />
        </Show>
      </div>
    </li>
  );
}

/** A room's day: an hour grid with the bookings as blocks; previous/next day; book and cancel. */
function BookingTimeline(props: {
  room: Room;
  date: string;
  setDate: (date: string) => void;
  tenantId: string | undefined;
  centreId: string;
  canBook: boolean;
}) {
  const queryClient = useQueryClient();
  const [booking, setBooking] = createSignal(false);
  const [cancelling, setCancelling] = createSignal<Booking | null>(null);
  const [jump, setJump] = createSignal(props.date);
  const bookings = createQuery(() => ({
    queryKey: ["centre.bookings", props.centreId, props.room.id, props.date],
    queryFn: () =>
      trpc.centre.bookings.query({
        tenantId: props.tenantId,
        roomId: props.room.id,
        from: chinaInstant(props.date, "00:00"),
        to: chinaInstant(addDays(props.date, 1), "00:00"),
      }),
    placeholderData: keepPreviousData,
  }));
  const cancel = createMutation(() => ({
    mutationFn: (b: Booking) => trpc.centre.cancelBooking.mutate({ id: b.id, version: b.version }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["centre.bookings"] }),
  }));

  // Minutes of the day covered by a booking (a booking may start the day before or end the day after).
  const span = (b: Booking) => ({
    start: chinaDate(b.startsAt) < props.date ? 0 : chinaMinutes(b.startsAt),
    end: chinaDate(b.endsAt) > props.date ? 24 * 60 : chinaMinutes(b.endsAt),
  });
  const items = () => (bookings.data ?? []).map((b) => ({ booking: b, ...span(b) }));
  const firstHour = () => Math.min(8, ...items().map((i) => Math.floor(i.start / 60)));
  const lastHour = () => Math.max(20, ...items().map((i) => Math.ceil(i.end / 60)));
  const hours = () => Array.from({ length: lastHour() - firstHour() }, (_, i) => firstHour() + i);
  const timeText = (start: number, end: number) => t("centre.booking.time", { from: clock(start), to: clock(end) });
  const go = (d: string) => {
    setJump(d);
    props.setDate(d);
  };

  return (
    <section class="card booking-timeline" aria-labelledby="timeline-title">
      <div class="card-head">
        <h2 id="timeline-title" class="card-title">
          {t("centre.booking.title", { room: props.room.name })}
        </h2>
        <Show when={props.canBook}>
          <Button size="sm" variant="primary" onClick={() => setBooking(true)}>
            {t("centre.booking.book")}
          </Button>
        </Show>
      </div>
      <div class="toolbar timeline-nav">
        <Button size="sm" onClick={() => go(addDays(props.date, -1))}>
          ‹ {t("centre.booking.prevDay")}
        </Button>
        <Button size="sm" onClick={() => go(chinaToday())} disabled={props.date === chinaToday()}>
          {t("centre.booking.today")}
        </Button>
        <Button size="sm" onClick={() => go(addDays(props.date, 1))}>
          {t("centre.booking.nextDay")} ›
        </Button>
        <InputField
          type="date"
          label={t("centre.booking.date")}
          hideLabel
          value={jump()}
          onChange={(v) => {
            setJump(v);
            if (isIsoDate(v)) props.setDate(v);
          }}
          inputClass="input-sm"
        />
      </div>
      <p class="timeline-day">
        <strong>{dayLabel(props.date)}</strong> <span class="muted">{fullDate(props.date)}</span>
      </p>
      <QueryState query={bookings}>
        <Show when={items().length === 0}>
          <p class="muted small">{t("centre.booking.none")}</p>
        </Show>
        <div class="timeline" style={{ height: `${hours().length * HOUR_PX}px` }} aria-busy={bookings.isFetching}>
          <ol class="timeline-hours" aria-label={t("centre.booking.hours")}>
            <For each={hours()}>
              {(hour) => (
                <li class="timeline-hour" style={{ height: `${HOUR_PX}px` }}>
                  <span class="timeline-hour-label">{clock(hour * 60)}</span>
                </li>
              )}
            </For>
          </ol>
          <ol
            class="timeline-bookings"
            aria-label={t("centre.booking.list", { room: props.room.name, date: dayLabel(props.date) })}
          >
            <For each={items()}>
              {(item) => (
                <li
                  class="booking-block"
                  style={{
                    top: `${((item.start - firstHour() * 60) / 60) * HOUR_PX}px`,
                    height: `${Math.max(((item.end - item.start) / 60) * HOUR_PX, 24)}px`,
                  }}
                >
                  <div class="booking-text">
                    <span class="booking-time">{timeText(item.start, item.end)}</span>
                    <span class="booking-title">{item.booking.title}</span>
                    <Show when={item.booking.mediators.length > 0}>
                      <span class="booking-mediators">
                        {t("centre.booking.with", { names: joinList(item.booking.mediators.map((m) => m.name)) })}
                      </span>
                    </Show>
                  </div>
                  <Show when={props.canBook}>
                    <Button
                      size="sm"
                      variant="ghost"
                      class="booking-cancel"
                      aria-label={t("centre.booking.cancelLabel", { title: item.booking.title })}
                      onClick={() => setCancelling(item.booking)}
                    >
                      {t("centre.booking.cancel")}
                    </Button>
                  </Show>
                </li>
              )}
            </For>
          </ol>
        </div>
      </QueryState>
      <Dialog
        open={booking()}
        onOpenChange={setBooking}
        title={t("centre.booking.bookTitle")}
        description={t("centre.booking.bookFor", { room: props.room.name })}
        size="lg"
      >
        <BookingForm room={props.room} date={props.date} onBooked={(d) => go(d)} onClose={() => setBooking(false)} />
      </Dialog>
      <ConfirmDialog
        open={cancelling() !== null}
        onOpenChange={(open) => !open && setCancelling(null)}
        title={t("centre.booking.cancelTitle")}
        message={(() => {
          const b = cancelling();
          if (!b) return "";
          const s = span(b);
          return t("centre.booking.cancelConfirm", { title: b.title, time: timeText(s.start, s.end) });
        })()}
        confirmLabel={t("centre.booking.cancel")}
        danger
        onConfirm={async () => {
          const b = cancelling();
          if (!b) return;
          await cancel.mutateAsync(b);
          notify(t("centre.booking.cancelled"));
        }}
        errorText={errorText}
      />
    </section>
  );
}

/** Books the room for a time range of one day, with mediators from the pools the centre may use. */
function BookingForm(props: { room: Room; date: string; onBooked: (date: string) => void; onClose: () => void }) {
  const queryClient = useQueryClient();
  const pool = createQuery(() => ({
    queryKey: ["centre.mediators", { activeOnly: true }],
    queryFn: () => trpc.centre.mediators.query({ activeOnly: true }),
  }));
  // The day and the clock times are the page's fields (their format checked here); the
  // procedure's schema checks the two instants they make, and that the end follows the start.
  const form = createDialogForm({
    schema: bookingInput,
    initial: { title: "", date: props.date, startsAt: "09:00", endsAt: "10:00", mediatorIds: [] as string[] },
    toInput: (d) => ({
      roomId: props.room.id,
      startsAt: chinaInstant(d.date, d.startsAt),
      endsAt: chinaInstant(d.date, d.endsAt),
      title: d.title,
      mediatorIds: [...d.mediatorIds],
    }),
    extra: (d) => ({
      date: fieldCheck(isoDate(), d.date),
      startsAt: fieldCheck(clockInput, d.startsAt),
      endsAt: fieldCheck(clockInput, d.endsAt),
    }),
    send: (input) => trpc.centre.book.mutate(input),
    done: (): string => {
      const d = form.draft;
      props.onBooked(d.date);
      return t("centre.booking.booked", { time: `${d.date} ${d.startsAt}–${d.endsAt}` });
    },
    refresh: () => queryClient.invalidateQueries({ queryKey: ["centre.bookings"] }),
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form} submitLabel={t("centre.booking.submit")}>
      <TextField
        label={t("centre.booking.subject")}
        {...form.text("title")}
        description={t("centre.booking.subjectHint")}
        required
      />
      <div class="field-row field-row-3">
        <InputField type="date" label={t("centre.booking.date")} {...form.text("date")} required />
        <InputField type="time" label={t("centre.booking.start")} {...form.text("startsAt")} step={300} required />
        <InputField type="time" label={t("centre.booking.end")} {...form.text("endsAt")} step={300} required />
      </div>
      <Show when={pool.data} fallback={<Loading />}>
        <CheckGroup
          legend={t("centre.booking.mediators")}
          description={t("centre.booking.mediatorsHint")}
          gridClass="check-grid mediator-grid"
          options={(pool.data ?? []).map((m) => ({
            value: m.id,
            label: m.name,
            description: m.own ? gradeName(m.grade) : `${gradeName(m.grade)} · ${m.poolName}`,
          }))}
          value={form.draft.mediatorIds}
          onChange={(ids) => form.set("mediatorIds", ids)}
          error={form.error("mediatorIds")}
        />
      </Show>
    </DialogForm>
  );
}

function RoomForm(props: { room: Room | undefined; onClose: () => void }) {
  const r = props.room;
  const pool = createQuery(() => ({
    queryKey: ["centre.mediators", { activeOnly: true }],
    queryFn: () => trpc.centre.mediators.query({ activeOnly: true }),
  }));
  const form = createRowForm({
    row: r,
    schema: roomInput,
    initial: {
      name: r?.name ?? "",
      kind: (r?.kind ?? "general") as RoomKind,
      studioName: r?.studioName ?? "",
      chiefMediatorId: r?.chiefMediatorId ?? null,
      capacity: String(r?.capacity ?? 10),
      area: (r?.area ?? "resolution") as Area,
      location: r?.location ?? "",
      active: r?.active ?? true,
    },
    toInput: (d) => ({
      name: d.name,
      kind: d.kind,
      studioName: d.studioName.trim() || null,
      chiefMediatorId: d.chiefMediatorId,
      capacity: wholeNumber(d.capacity) ?? Number.NaN,
      area: d.area,
      location: d.location.trim() || null,
    }),
    create: (input) => trpc.centre.createRoom.mutate(input),
    edit: (input, d) => trpc.centre.editRoom.mutate({ ...input, active: d.active }),
    refresh: ["centre.rooms"],
    onClose: props.onClose,
  });
  const chiefOptions = () => [
    { value: "", label: t("centre.room.noChief") },
    ...(pool.data ?? []).map((m) => ({
      value: m.id,
      label: m.own ? `${m.name}（${gradeName(m.grade)}）` : `${m.name}（${gradeName(m.grade)} · ${m.poolName}）`,
    })),
  ];
  return (
    <DialogForm form={form}>
      <TextField label={t("centre.room.name")} {...form.text("name")} required />
      <div class="field-row">
        <Select label={t("centre.room.area")} options={optionsOf(AREAS, areaName)} {...form.choice("area")} />
        <Select label={t("centre.room.kind")} options={optionsOf(ROOM_KINDS, roomKindName)} {...form.choice("kind")} />
      </div>
      <TextField
        label={t("centre.room.studioName")}
        {...form.text("studioName")}
        description={t("centre.room.studioHint")}
      />
      <Select
        label={t("centre.room.chief")}
        options={chiefOptions()}
        value={form.draft.chiefMediatorId ?? ""}
        onChange={(v) => form.set("chiefMediatorId", v ? v : null)}
      />
      <div class="field-row">
        <InputField
          type="number"
          label={t("centre.room.capacity")}
          {...form.text("capacity")}
          min={1}
          max={500}
          required
        />
        <TextField
          label={t("centre.room.location")}
          {...form.text("location")}
          description={t("centre.room.locationHint")}
        />
      </div>
      <Show when={r}>
        <Checkbox label={t("centre.room.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}
