import { useNavigate } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { markAppointmentInput, receiveAppointmentInput } from "@zongzhi/api/schemas/booking";
import { APPOINTMENT_STATUS_NAMES } from "@zongzhi/domain/booking";
import { addDays, chinaDate, chinaToday } from "@zongzhi/domain/dates";
import { createSignal, For, Show } from "solid-js";
import { type Me, type Outputs, trpc } from "../api.ts";
import { createDialogForm, DialogForm } from "../components/dialog-form.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { formatDateTime, named, t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextArea, TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import "./booking.css";

type Appointment = Outputs["appointments"]["list"][number];
const QUERY = ["appointments.list", "home"];

/**
 * 网上预约 on the clerk's home (工作台): today's bookings and the next 7 days', each with its
 * actions (到场, 未到, 取消, 接待). 接待 registers the case from the booking and opens it.
 */
export function BookingsCards(props: { me: Me }) {
  const list = createQuery(() => ({
    queryKey: QUERY,
    queryFn: () =>
      trpc.appointments.list.query({
        from: chinaToday(),
        to: addDays(chinaToday(), 7),
        status: ["booked", "arrived"],
      }),
  }));
  const today = (items: Appointment[]) => items.filter((a) => chinaDate(new Date(a.startsAt)) === chinaToday());
  const later = (items: Appointment[]) => items.filter((a) => chinaDate(new Date(a.startsAt)) !== chinaToday());
  return (
    <QueryState query={list} isEmpty={() => false}>
      {(items) => (
        <>
          <BookingCard title={t("booking.homeToday")} items={today(items())} me={props.me} testId="bookings-today" />
          <BookingCard
            title={t("booking.homeUpcoming")}
            items={later(items())}
            me={props.me}
            testId="bookings-upcoming"
          />
        </>
      )}
    </QueryState>
  );
}

function BookingCard(props: { title: string; items: Appointment[]; me: Me; testId: string }) {
  return (
    <section class="card" aria-label={props.title} data-testid={props.testId}>
      <div class="home-section-head">
        <h4 class="card-title">{props.title}</h4>
        <span class="home-count">{t("console.home.count", { n: props.items.length })}</span>
      </div>
      <Show when={props.items.length > 0} fallback={<p class="muted small">{t("console.home.empty")}</p>}>
        <ul class="home-list">
          <For each={props.items}>{(a) => <BookingItem booking={a} me={props.me} />}</For>
        </ul>
      </Show>
    </section>
  );
}

function BookingItem(props: { booking: Appointment; me: Me }) {
  const client = useQueryClient();
  const [dialog, setDialog] = createSignal<"cancel" | "receive" | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: QUERY });
  const mark = createMutation(() => ({
    mutationFn: (status: "arrived" | "no_show") =>
      trpc.appointments.mark.mutate({ id: props.booking.id, version: props.booking.version, status }),
    onSuccess: async () => {
      notify(t("booking.marked"));
      await refresh();
    },
    onError: (error: unknown) => notify(errorText(error), "error"),
  }));
  const started = () => new Date(props.booking.startsAt).getTime() <= Date.now();
  const label = () => `${props.booking.nameMasked} ${props.booking.phoneMasked}`;
  return (
    <li class="booking-item" aria-label={`${props.booking.code} ${label()}`}>
      <div>
        <span class="home-item-title">
          {formatDateTime(props.booking.startsAt)} {props.booking.title}
        </span>
        <span class="muted small">
          {label()} · {props.booking.resourceName} · <span class="mono">{props.booking.code}</span>
        </span>
        <span class="small">{props.booking.matter}</span>
      </div>
      <div class="row-actions">
        <Badge tone={props.booking.status === "arrived" ? "success" : "neutral"}>
          {named(APPOINTMENT_STATUS_NAMES, props.booking.status)}
        </Badge>
        <Show when={props.booking.status === "booked"}>
          <Button size="sm" disabled={mark.isPending} onClick={() => mark.mutate("arrived")}>
            {t("booking.arrived")}
          </Button>
          <Show when={started()}>
            <Button size="sm" disabled={mark.isPending} onClick={() => mark.mutate("no_show")}>
              {t("booking.noShow")}
            </Button>
          </Show>
        </Show>
        <Button size="sm" onClick={() => setDialog("cancel")}>
          {t("booking.cancelByClerk")}
        </Button>
        <Button size="sm" variant="primary" onClick={() => setDialog("receive")}>
          {t("booking.receive")}
        </Button>
      </div>
      <Show when={dialog() === "cancel"}>
        <CancelDialog booking={props.booking} onClose={() => setDialog(null)} refresh={refresh} />
      </Show>
      <Show when={dialog() === "receive"}>
        <ReceiveDialog booking={props.booking} me={props.me} onClose={() => setDialog(null)} refresh={refresh} />
      </Show>
    </li>
  );
}

function CancelDialog(props: { booking: Appointment; onClose: () => void; refresh: () => Promise<unknown> }) {
  const form = createDialogForm({
    schema: markAppointmentInput,
    initial: { reason: "" },
    toInput: (d) => ({
      id: props.booking.id,
      version: props.booking.version,
      status: "cancelled" as const,
      reason: d.reason,
    }),
    extra: (d) => ({ reason: d.reason.trim() ? undefined : t("booking.cancelReason") }),
    send: (input) => trpc.appointments.mark.mutate(input),
    done: () => t("booking.marked"),
    refresh: props.refresh,
    onClose: props.onClose,
  });
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && props.onClose()}
      title={t("booking.cancelTitle", { code: props.booking.code })}
    >
      <DialogForm form={form} danger submitLabel={t("booking.cancelByClerk")}>
        <TextField label={t("booking.cancelReason")} {...form.text("reason")} required />
      </DialogForm>
    </Dialog>
  );
}

function ReceiveDialog(props: { booking: Appointment; me: Me; onClose: () => void; refresh: () => Promise<unknown> }) {
  const navigate = useNavigate();
  const b = props.booking;
  const form = createDialogForm({
    schema: receiveAppointmentInput,
    initial: {
      title: `${b.title}：${Array.from(b.matter).slice(0, 40).join("")}`,
      description: b.matter,
      locationCode: props.me.tenant?.code ?? "",
    },
    toInput: (d) => ({
      id: b.id,
      version: b.version,
      categoryCode: b.categoryCode,
      title: d.title,
      description: d.description,
      locationCode: d.locationCode,
    }),
    send: (input) => trpc.appointments.receive.mutate(input),
    done: (result) => {
      navigate(`/cases/${result.caseId}`);
      return t("booking.registered", { code: result.caseCode });
    },
    refresh: props.refresh,
    onClose: props.onClose,
  });
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && props.onClose()}
      title={t("booking.receiveTitle", { name: b.nameMasked })}
      description={t("booking.receiveIntro")}
    >
      <DialogForm form={form} submitLabel={t("booking.register")}>
        <TextField label={t("booking.caseTitle")} {...form.text("title")} required />
        <TextArea label={t("booking.caseDescription")} {...form.text("description")} rows={4} required />
        <TextField label={t("booking.location")} {...form.text("locationCode")} inputClass="mono" required />
      </DialogForm>
    </Dialog>
  );
}
