import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { centreContactInput } from "@zongzhi/api/schemas/centre";
import { createSignal, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";
import type { useCentre } from "./centre.tsx";
import { FormDialog, ListCard } from "./config-page.tsx";
import { createDialogForm, DialogForm } from "./dialog-form.tsx";
import { QueryState } from "./query-state.tsx";

/** A centre's public contact (the receipt's phone, address and opening hours), or null. */
export type CentreContact = Outputs["centre"]["contact"];

/** Query of the contact the papers of `unitCode` print (its own or the nearest centre's above). */
export function contactQuery(unitCode: () => string | undefined) {
  return () => ({
    queryKey: ["centre.contact", unitCode()],
    queryFn: () => trpc.centre.contact.query({ unitCode: unitCode() }),
  });
}

/** 对外联系信息: the shown centre's public contact, edited by its own administrator. */
export function ContactCard(props: { centre: ReturnType<typeof useCentre> }) {
  const contact = createQuery(contactQuery(() => props.centre.current()?.code));
  const [editing, setEditing] = createSignal<{ contact: CentreContact } | null>(null);
  // Its own (to edit), or none yet: an inherited contact is the centre above's to change.
  const own = () => (contact.data?.own ? contact.data : null);
  return (
    <ListCard
      id="centre-contact-title"
      title={t("centre.contact.title")}
      actions={
        <Show when={props.centre.canConfigure() && contact.isSuccess}>
          <Button size="sm" onClick={() => setEditing({ contact: own() })}>
            {own() ? t("centre.edit") : t("centre.contact.set")}
          </Button>
        </Show>
      }
    >
      <QueryState query={contact}>
        {(c) => (
          <Show when={c()} fallback={<p class="muted">{t("centre.contact.none")}</p>}>
            {(shown) => (
              <dl class="contact-list">
                <dt>{t("centre.contact.phone")}</dt>
                <dd class="mono">{shown().phone}</dd>
                <dt>{t("centre.contact.address")}</dt>
                <dd>{shown().address ?? t("common.none")}</dd>
                <dt>{t("centre.contact.hours")}</dt>
                <dd>{shown().openingHours ?? t("common.none")}</dd>
                <Show when={!shown().own}>
                  <dd class="muted small">
                    {t("centre.contact.inherited", { unit: shown().unitName ?? shown().scopeCode })}
                  </dd>
                </Show>
              </dl>
            )}
          </Show>
        )}
      </QueryState>
      <p class="field-hint">{t("centre.contact.hint")}</p>
      <FormDialog target={editing()} onClose={() => setEditing(null)} title={() => t("centre.contact.title")}>
        {(target) => <ContactForm contact={target.contact} onClose={() => setEditing(null)} />}
      </FormDialog>
    </ListCard>
  );
}

function ContactForm(props: { contact: CentreContact; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: centreContactInput,
    initial: {
      phone: props.contact?.phone ?? "",
      address: props.contact?.address ?? "",
      openingHours: props.contact?.openingHours ?? "",
    },
    toInput: (d) => ({
      ...(props.contact ? { version: props.contact.version } : {}),
      phone: d.phone,
      address: d.address.trim() || null,
      openingHours: d.openingHours.trim() || null,
    }),
    send: (input) => trpc.centre.saveContact.mutate(input),
    done: () => t("centre.contact.saved"),
    refresh: () => queryClient.invalidateQueries({ queryKey: ["centre.contact"] }),
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form}>
      <TextField
        label={t("centre.contact.phone")}
        {...form.text("phone")}
        description={t("centre.contact.phoneHint")}
        inputClass="mono"
        required
      />
      <TextField label={t("centre.contact.address") + t("common.optional")} {...form.text("address")} />
      <TextField
        label={t("centre.contact.hours") + t("common.optional")}
        {...form.text("openingHours")}
        description={t("centre.contact.hoursHint")}
      />
    </DialogForm>
  );
}
