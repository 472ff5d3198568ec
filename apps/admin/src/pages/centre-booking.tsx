import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { offerInput } from "@zongzhi/api/schemas/booking";
import { OFFER_KIND_NAMES, OFFER_KINDS, type OfferKind } from "@zongzhi/domain/booking";
import { Show } from "solid-js";
import { type Inputs, type Outputs, trpc } from "../api.ts";
import { CentreHeader, centrePage, useCentre, wholeNumber } from "../components/centre.tsx";
import {
  createEditing,
  DataTable,
  EditAction,
  EditDialog,
  FormFooter,
  ListCard,
  labels,
  RowAction,
} from "../components/config-page.tsx";
import { MutationError } from "../components/dialog-form.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createSchemaForm } from "../components/schema-form.ts";
import { useMe } from "../components/shell.tsx";
import { named, t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { InputField } from "../ui/input-field.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** One bookable offer of the centre (a window's visits or a room's mediation slots). */
type Offer = Outputs["appointments"]["offers"][number];
type OfferSave = Inputs["appointments"]["saveOffer"];

const OFFERS = "appointments.offers";

/**
 * 网上预约设置: what the centre opens for booking on the public page — a service window's visits
 * or a mediation room's slots, with hours, break, slot length, seats, days ahead and notice.
 * Adding, editing and closing an offer go through appointments.saveOffer (versioned).
 */
export const CentreBookingPage = centrePage("centre.read", OffersView);

/** The input that saves an offer as it is, with only `active` changed (closing or reopening it). */
function asSaved(o: Offer, active: boolean): OfferSave {
  return {
    id: o.id,
    version: o.version,
    active,
    kind: o.kind,
    windowId: o.windowId,
    roomId: o.roomId,
    title: o.title,
    slotMinutes: o.slotMinutes,
    opensAt: o.opensAt,
    closesAt: o.closesAt,
    breakFrom: o.breakFrom,
    breakTo: o.breakTo,
    capacity: o.capacity,
    daysAhead: o.daysAhead,
    noticeHours: o.noticeHours,
  };
}

function OffersView() {
  const me = useMe();
  const centre = useCentre(me);
  const queryClient = useQueryClient();
  const editing = createEditing<Offer>();
  const offers = createQuery(() => ({
    queryKey: [OFFERS, centre.current()?.id],
    queryFn: () => trpc.appointments.offers.query({ tenantId: centre.tenantId() }),
  }));
  const toggle = createMutation(() => ({
    mutationFn: (o: Offer) => trpc.appointments.saveOffer.mutate(asSaved(o, !o.active)),
    onSuccess: (saved) =>
      notify(t(saved.active ? "centre.offer.reopened" : "centre.offer.closedNotice", { name: saved.title })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: [OFFERS] }),
  }));
  return (
    <>
      <CentreHeader centre={centre} words="centre.offer" onAdd={editing.add} />
      <ListCard id="offers-title" title={centre.current()?.name ?? ""}>
        <MutationError
          error={toggle.error}
          conflictHint={t("centre.offer.conflictHint")}
          onReload={() => void offers.refetch().then(() => toggle.reset())}
        />
        <QueryState query={offers} empty={t("centre.offer.empty")}>
          {(list) => (
            <DataTable
              class="centre-table"
              caption={t("centre.offer.title")}
              actions={centre.canConfigure()}
              columns={[
                ...labels("centre.offer.name centre.offer.kind centre.offer.resource centre.offer.hours"),
                ...labels("centre.offer.slots centre.offer.ahead centre.offer.state"),
              ]}
              rows={list()}
            >
              {(o) => (
                <tr classList={{ "row-inactive": !o.active }}>
                  <td class="cell-title">{o.title}</td>
                  <td>{named(OFFER_KIND_NAMES, o.kind)}</td>
                  <td>{o.resourceName}</td>
                  <td>
                    {o.opensAt}–{o.closesAt}
                    <Show when={o.breakFrom && o.breakTo}>
                      <div class="muted small">
                        {t("booking.breakHours", { from: o.breakFrom ?? "", to: o.breakTo ?? "" })}
                      </div>
                    </Show>
                  </td>
                  <td>{t("centre.offer.slotsText", { minutes: o.slotMinutes, n: o.capacity })}</td>
                  <td>{t("centre.offer.aheadText", { days: o.daysAhead, hours: o.noticeHours })}</td>
                  <td>
                    <Show when={o.active} fallback={<Badge tone="danger">{t("centre.offer.closed")}</Badge>}>
                      <Badge tone="success">{t("centre.offer.open")}</Badge>
                    </Show>
                  </td>
                  <Show when={centre.canConfigure()}>
                    <td class="col-actions">
                      <EditAction name={o.title} onClick={() => editing.edit(o)} />
                      <RowAction
                        label={t(o.active ? "centre.offer.close" : "centre.offer.reopen")}
                        ariaLabel={t(o.active ? "centre.offer.closeLabel" : "centre.offer.reopenLabel", {
                          name: o.title,
                        })}
                        onClick={() => toggle.mutate(o)}
                      />
                    </td>
                  </Show>
                </tr>
              )}
            </DataTable>
          )}
        </QueryState>
      </ListCard>
      <EditDialog
        editing={editing}
        addTitle={t("centre.offer.addTitle")}
        editTitle={t("centre.offer.editTitle")}
        size="lg"
      >
        {(row, close) => (
          <OfferForm offer={row} onClose={close} onReload={() => void offers.refetch().then(() => close())} />
        )}
      </EditDialog>
    </>
  );
}

function OfferForm(props: { offer: Offer | undefined; onClose: () => void; onReload: () => void }) {
  const o = props.offer;
  const queryClient = useQueryClient();
  // The centre's own windows and rooms (an offer is always the caller's own centre's).
  const windows = createQuery(() => ({
    queryKey: ["centre.windows", "own"],
    queryFn: () => trpc.centre.windows.query({}),
  }));
  const rooms = createQuery(() => ({
    queryKey: ["centre.rooms", "own"],
    queryFn: () => trpc.centre.rooms.query({}),
  }));
  const save = createMutation(() => ({
    mutationFn: (input: OfferSave) =>
      trpc.appointments.saveOffer.mutate(o ? { ...input, id: o.id, version: o.version } : input),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: [OFFERS] });
      notify(t(o ? "centre.saved" : "centre.created", { name: saved.title }));
      props.onClose();
    },
  }));
  const form = createSchemaForm({
    schema: offerInput,
    initial: {
      kind: (o?.kind ?? "visit") as OfferKind,
      windowId: o?.windowId ?? null,
      roomId: o?.roomId ?? null,
      title: o?.title ?? "",
      slotMinutes: String(o?.slotMinutes ?? 30),
      opensAt: o?.opensAt ?? "09:00",
      closesAt: o?.closesAt ?? "17:00",
      breakFrom: o?.breakFrom ?? "12:00",
      breakTo: o?.breakTo ?? "13:30",
      capacity: String(o?.capacity ?? 2),
      daysAhead: String(o?.daysAhead ?? 14),
      noticeHours: String(o?.noticeHours ?? 2),
      active: o?.active ?? true,
    },
    toInput: (d) => ({
      active: d.active,
      kind: d.kind,
      windowId: d.kind === "visit" ? d.windowId : null,
      roomId: d.kind === "mediation" ? d.roomId : null,
      title: d.title,
      slotMinutes: wholeNumber(d.slotMinutes) ?? Number.NaN,
      opensAt: d.opensAt,
      closesAt: d.closesAt,
      breakFrom: d.breakFrom || null,
      breakTo: d.breakTo || null,
      capacity: d.kind === "mediation" ? 1 : (wholeNumber(d.capacity) ?? Number.NaN),
      daysAhead: wholeNumber(d.daysAhead) ?? Number.NaN,
      noticeHours: wholeNumber(d.noticeHours) ?? Number.NaN,
    }),
    // The schema cannot know that a visit needs a window and a mediation slot a room.
    extra: (d) => ({
      windowId: d.kind === "visit" && !d.windowId ? t("centre.offer.pickWindow") : undefined,
      roomId: d.kind === "mediation" && !d.roomId ? t("centre.offer.pickRoom") : undefined,
    }),
    serverError: (): unknown => save.error,
  });
  const windowOptions = () =>
    (windows.data ?? [])
      .filter((w) => w.active || w.id === o?.windowId)
      .map((w) => ({ value: w.id, label: `${w.number}号窗口 ${w.name}` }));
  const roomOptions = () =>
    (rooms.data ?? []).filter((r) => r.active || r.id === o?.roomId).map((r) => ({ value: r.id, label: r.name }));
  const fieldError = (path: string) => form.error(path);
  return (
    <form class="form" noValidate onSubmit={form.onSubmit((input) => save.mutate(input))}>
      <div class="field-row">
        <Select
          label={t("centre.offer.kind")}
          options={OFFER_KINDS.map((k) => ({ value: k, label: named(OFFER_KIND_NAMES, k) }))}
          {...form.choice("kind")}
          disabled={o !== undefined}
        />
        <Show
          when={form.draft.kind === "visit"}
          fallback={
            <Select
              label={t("centre.offer.room")}
              options={roomOptions()}
              value={form.draft.roomId}
              placeholder={t("centre.offer.pickRoom")}
              onChange={(v) => form.set("roomId", v)}
              disabled={o !== undefined}
            />
          }
        >
          <Select
            label={t("centre.offer.window")}
            options={windowOptions()}
            value={form.draft.windowId}
            placeholder={t("centre.offer.pickWindow")}
            onChange={(v) => form.set("windowId", v)}
            disabled={o !== undefined}
          />
        </Show>
      </div>
      <Show when={fieldError(form.draft.kind === "visit" ? "windowId" : "roomId")}>
        {(message) => <p class="field-error">{message()}</p>}
      </Show>
      <Show when={o}>
        <p class="field-hint">{t("centre.offer.fixedHint")}</p>
      </Show>
      <TextField
        label={t("centre.offer.name")}
        {...form.text("title")}
        description={t("centre.offer.nameHint")}
        required
      />
      <div class="field-row field-row-3">
        <InputField type="time" label={t("centre.offer.opensAt")} {...form.text("opensAt")} required />
        <InputField type="time" label={t("centre.offer.closesAt")} {...form.text("closesAt")} required />
        <InputField
          type="number"
          label={t("centre.offer.slotMinutes")}
          {...form.text("slotMinutes")}
          min={10}
          max={240}
          required
        />
      </div>
      <div class="field-row">
        <InputField type="time" label={t("centre.offer.breakFrom")} {...form.text("breakFrom")} />
        <InputField type="time" label={t("centre.offer.breakTo")} {...form.text("breakTo")} />
      </div>
      <p class="field-hint">{t("centre.offer.breakHint")}</p>
      <div class="field-row field-row-3">
        <Show when={form.draft.kind === "visit"} fallback={<p class="field-hint">{t("centre.offer.roomSeats")}</p>}>
          <InputField
            type="number"
            label={t("centre.offer.capacity")}
            {...form.text("capacity")}
            min={1}
            max={50}
            required
          />
        </Show>
        <InputField
          type="number"
          label={t("centre.offer.daysAhead")}
          {...form.text("daysAhead")}
          min={1}
          max={60}
          required
        />
        <InputField
          type="number"
          label={t("centre.offer.noticeHours")}
          {...form.text("noticeHours")}
          min={0}
          max={168}
          required
        />
      </div>
      <Show when={o}>
        <Checkbox
          label={t("centre.offer.active")}
          description={t("centre.offer.activeHint")}
          checked={form.draft.active}
          onChange={(v) => form.set("active", v)}
        />
      </Show>
      <MutationError
        error={save.error}
        known={form.known}
        conflictHint={t("centre.offer.conflictHint")}
        onReload={props.onReload}
      />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}
