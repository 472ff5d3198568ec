import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { parseCalendarImport } from "../calendar-import.ts";
import { TextArea } from "../components/case-fields.tsx";
import { ConfigPage, DataTable, FormDialog, ListCard, RowAction } from "../components/config-page.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createSave, SaveForm } from "../components/save-form.tsx";
import { useMe } from "../components/shell.tsx";
import { type MessageKey, t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { RadioGroup } from "../ui/radio-group.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Year = Outputs["calendar"]["year"];
type Entry = Year["entries"][number];
const KEY = ["calendar.year"] as const;
const WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六"];

/** 周三 / Wed: the weekday of a date, in the current language's short form. */
function weekday(date: string): string {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return t("calendar.weekday", { d: WEEKDAYS[d] ?? "" });
}

/** /system/calendar: the year as the unit counts working days — the package's days, the entries in force, warnings. */
export function CalendarPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const thisYear = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
  const [year, setYear] = createSignal(thisYear + 1);
  const [adding, setAdding] = createSignal<"one" | "import" | null>(null);
  const mayManage = () => mayOn(me(), "calendar.manage", me().tenant?.code ?? "");
  const data = createQuery(() => ({
    queryKey: [...KEY, year()],
    queryFn: () => trpc.calendar.year.query({ year: year() }),
  }));
  const remove = createMutation(() => ({
    mutationFn: (e: Entry) => trpc.calendar.removeDay.mutate({ id: e.id }),
    onSuccess: () => {
      notify(t("calendar.removed"));
      return queryClient.invalidateQueries({ queryKey: KEY });
    },
    onError: (e) => notify(errorText(e), "error"),
  }));
  return (
    <ConfigPage
      allowed={me().tenant !== null && can(me(), "centre.read")}
      title={t("calendar.title")}
      intro={t("calendar.intro")}
      actions={
        <Show when={mayManage()}>
          <Button onClick={() => setAdding("import")}>{t("calendar.import")}</Button>
          <Button variant="primary" onClick={() => setAdding("one")}>
            {t("calendar.add")}
          </Button>
        </Show>
      }
    >
      <fieldset class="card filter-bar">
        <legend class="sr-only">{t("calendar.year")}</legend>
        <For each={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2]}>
          {(y) => (
            <Button size="sm" variant={year() === y ? "primary" : "ghost"} onClick={() => setYear(y)}>
              {t("calendar.yearN", { y })}
            </Button>
          )}
        </For>
      </fieldset>
      <QueryState query={data}>
        {(y) => (
          <>
            <Show when={!y().nationalData}>
              <Alert tone={y().entries.length > 0 ? "info" : "warning"}>
                {y().entries.length > 0
                  ? t("calendar.noNationalEntered", { y: y().year })
                  : t("calendar.noNational", { y: y().year })}
              </Alert>
            </Show>
            <ListCard id="calendar-entries" title={t("calendar.entries", { y: y().year })}>
              <Show when={y().entries.length > 0} fallback={<p class="muted">{t("calendar.noEntries")}</p>}>
                <DataTable
                  caption={t("calendar.entries", { y: y().year })}
                  actions={mayManage()}
                  columns={[
                    { label: t("calendar.date") },
                    { label: t("calendar.kind") },
                    { label: t("calendar.name") },
                    { label: t("calendar.unit") },
                    { label: t("calendar.check") },
                  ]}
                  rows={y().entries}
                >
                  {(e) => (
                    <tr classList={{ "row-inactive": shadowed(y(), e) }}>
                      <td class="nowrap">
                        {e.date} <span class="muted small">{weekday(e.date)}</span>
                      </td>
                      <td>
                        <Badge tone={e.workday ? "info" : "success"}>
                          {e.workday ? t("calendar.workday") : t("calendar.dayOff")}
                        </Badge>
                      </td>
                      <td>
                        {e.name ?? ""}
                        <Show when={e.note}>
                          <span class="muted small"> {e.note}</span>
                        </Show>
                      </td>
                      <td class="small">
                        {e.own ? t("calendar.ownUnit") : (e.unitName ?? e.scopeCode)}
                        <Show when={shadowed(y(), e)}>
                          <span class="muted small">（{t("calendar.shadowed")}）</span>
                        </Show>
                      </td>
                      <td>
                        <Show when={e.disagreement}>
                          {(d) => (
                            <Badge tone={d() === "no_national_data" ? "neutral" : "warning"}>
                              {t(`calendar.disagreement.${d()}` as MessageKey)}
                            </Badge>
                          )}
                        </Show>
                      </td>
                      <Show when={mayManage()}>
                        <td class="col-actions">
                          <Show when={e.own}>
                            <RowAction
                              label={t("calendar.remove")}
                              ariaLabel={t("calendar.removeLabel", { date: e.date })}
                              danger
                              disabled={remove.isPending}
                              onClick={() => remove.mutate(e)}
                            />
                          </Show>
                        </td>
                      </Show>
                    </tr>
                  )}
                </DataTable>
              </Show>
            </ListCard>
            <ListCard id="calendar-national" title={t("calendar.national", { y: y().year })}>
              <Show when={y().national.length > 0} fallback={<p class="muted">{t("calendar.nationalNone")}</p>}>
                <div class="badge-row">
                  <For each={y().national}>
                    {(d) => (
                      <Badge tone={d.workday ? "info" : "neutral"} title={weekday(d.date)}>
                        {d.date.slice(5)} {d.workday ? t("calendar.workday") : (d.name ?? t("calendar.dayOff"))}
                      </Badge>
                    )}
                  </For>
                </div>
              </Show>
            </ListCard>
          </>
        )}
      </QueryState>
      <FormDialog
        target={adding()}
        onClose={() => setAdding(null)}
        title={(target) => (target === "one" ? t("calendar.add") : t("calendar.import"))}
      >
        {(target) =>
          target === "one" ? (
            <DayForm year={year()} onClose={() => setAdding(null)} />
          ) : (
            <ImportForm onClose={() => setAdding(null)} />
          )
        }
      </FormDialog>
    </ConfigPage>
  );
}

/** An ancestor's entry that a nearer unit's entry for the same date overrides. */
function shadowed(y: Year, e: Entry): boolean {
  const first = y.entries.find((x) => x.date === e.date);
  return first !== undefined && first.id !== e.id;
}

function useSave(onClose: () => void) {
  return createSave({
    send: (days: Parameters<typeof trpc.calendar.setDays.mutate>[0]["days"]) => trpc.calendar.setDays.mutate({ days }),
    done: (r) => t("calendar.saved", { n: r.saved }),
    onClose,
    invalidate: KEY,
  });
}

function DayForm(props: { year: number; onClose: () => void }) {
  const [date, setDate] = createSignal(`${props.year}-`);
  const [kind, setKind] = createSignal("off");
  const [name, setName] = createSignal("");
  const [note, setNote] = createSignal("");
  const save = useSave(props.onClose);
  return (
    <SaveForm
      save={save}
      onCancel={props.onClose}
      onSubmit={() =>
        save.mutate([
          {
            date: date().trim(),
            workday: kind() === "work",
            name: kind() === "work" ? null : name() || null,
            note: note() || null,
          },
        ])
      }
    >
      <TextField
        label={t("calendar.date")}
        placeholder="YYYY-MM-DD"
        maxLength={10}
        value={date()}
        onChange={setDate}
        required
      />
      <RadioGroup
        label={t("calendar.kind")}
        value={kind()}
        onChange={setKind}
        options={[
          { value: "off", label: t("calendar.dayOff") },
          { value: "work", label: t("calendar.workday") },
        ]}
      />
      <Show when={kind() === "off"}>
        <TextField
          label={t("calendar.name")}
          placeholder={t("calendar.namePlaceholder")}
          maxLength={20}
          value={name()}
          onChange={setName}
        />
      </Show>
      <TextField label={t("calendar.note")} maxLength={200} value={note()} onChange={setNote} />
    </SaveForm>
  );
}

function ImportForm(props: { onClose: () => void }) {
  const [text, setText] = createSignal("");
  const parsed = () => parseCalendarImport(text());
  const save = useSave(props.onClose);
  return (
    <SaveForm
      save={save}
      onCancel={props.onClose}
      submitLabel={t("calendar.importSubmit")}
      onSubmit={() => {
        const { days, problems } = parsed();
        if (days.length > 0 && problems.length === 0) save.mutate(days);
      }}
    >
      <TextArea
        label={t("calendar.importLabel")}
        rows={10}
        value={text()}
        onChange={setText}
        description={t("calendar.importHelp")}
      />
      <Show when={text().trim()}>
        <p class="small" aria-live="polite">
          {t("calendar.importCount", { n: parsed().days.length })}
        </p>
      </Show>
      <Show when={parsed().problems.length > 0}>
        <Alert>
          {t("calendar.importProblems")}{" "}
          {parsed()
            .problems.slice(0, 5)
            .map((p) => (p.line > 0 ? `${p.line}: ${p.text}` : p.text))
            .join("；")}
        </Alert>
      </Show>
    </SaveForm>
  );
}
