import { A } from "@solidjs/router";
import { createInfiniteQuery, createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { DataTable, labels } from "../components/config-page.tsx";
import { INBOX_KEY } from "../components/escalation/escalation-common.tsx";
import { isUrgent, kindName } from "../components/escalation/notification-bell.tsx";
import { PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { NOTICES_KEY } from "./notices.tsx";

type Item = Outputs["escalation"]["inbox"]["items"][number];
const KINDS = [
  "case.escalated",
  "case.assigned",
  "case.returned",
  "case.leader_decision",
  "supervision.opened",
  "supervision.notice",
  "appointment.booked",
] as const;
const PAGE = 50;

/** /messages: every notification of my unit with filters, read state and one click to the case. */
export function MessagesPage() {
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = createSignal(false);
  const [kind, setKind] = createSignal<string | null>(null);
  const inbox = createInfiniteQuery(() => ({
    queryKey: [...INBOX_KEY, "centre", unreadOnly(), kind()],
    queryFn: ({ pageParam }) =>
      trpc.escalation.inbox.query({
        limit: PAGE,
        before: pageParam,
        unread: unreadOnly() || undefined,
        kind: kind() ?? undefined,
      }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.items.length === PAGE ? last.items.at(-1)?.id : undefined),
  }));
  const items = () => inbox.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = () => inbox.data?.pages[0]?.unreadByKind ?? {};
  const unread = () => inbox.data?.pages[0]?.unread ?? 0;
  // Notices (通知公告) live on their own page; the centre says how many await acknowledgement.
  const notices = createQuery(() => ({
    queryKey: [...NOTICES_KEY, "received"],
    queryFn: () => trpc.notices.list.query({ box: "received" }),
  }));
  const markRead = createMutation(() => ({
    mutationFn: (ids: number[]) => trpc.escalation.markRead.mutate({ ids }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: INBOX_KEY }),
  }));
  return (
    <>
      <PageHeader
        title={t("messages.title")}
        intro={t("messages.intro")}
        actions={
          <Button disabled={unread() === 0 || markRead.isPending} onClick={() => markRead.mutate([])}>
            {t("messages.markAll")}
          </Button>
        }
      />
      <section class="card" aria-label={t("messages.counts")}>
        <div class="badge-row">
          <Show when={(notices.data?.unread ?? 0) > 0}>
            <A href="/notices" class="btn btn-sm btn-secondary">
              {t("notices.unreadInCentre", { n: notices.data?.unread ?? 0 })}
            </A>
          </Show>
          <For
            each={KINDS.filter((k) => (counts()[k] ?? 0) > 0)}
            fallback={<span class="muted small">{t("escalation.bell.unread", { n: 0 })}</span>}
          >
            {(k) => (
              <Button
                size="sm"
                variant={kind() === k ? "primary" : "ghost"}
                onClick={() => setKind(kind() === k ? null : k)}
              >
                {kindName(k)} · {counts()[k]}
              </Button>
            )}
          </For>
        </div>
      </section>
      <div class="card filter-bar">
        <Select
          label={t("messages.show")}
          options={[
            { value: "all", label: t("messages.showAll") },
            { value: "unread", label: t("messages.showUnread") },
          ]}
          value={unreadOnly() ? "unread" : "all"}
          onChange={(v) => setUnreadOnly(v === "unread")}
        />
        <Select
          label={t("messages.kind")}
          options={optionsOf(KINDS, kindName)}
          value={kind()}
          onChange={setKind}
          placeholder={t("messages.anyKind")}
        />
      </div>
      <section class="card">
        <QueryState query={inbox} empty={t("escalation.bell.empty")} isEmpty={() => items().length === 0}>
          <DataTable
            caption={t("messages.title")}
            columns={[
              ...labels("messages.at messages.kind messages.title messages.read"),
              { label: <span class="sr-only">{t("messages.open")}</span> },
            ]}
            rows={items()}
          >
            {(item) => <Row item={item} onRead={(id) => markRead.mutate([id])} />}
          </DataTable>
          <TableFoot query={inbox} />
        </QueryState>
      </section>
    </>
  );
}

function Row(props: { item: Item; onRead: (id: number) => void }) {
  return (
    <tr class={props.item.read ? undefined : "row-unread"}>
      <td class="nowrap small">{formatDateTime(props.item.createdAt)}</td>
      <td>
        <Badge tone={isUrgent(props.item) ? "danger" : "info"}>{kindName(props.item.kind)}</Badge>
        <Show when={isUrgent(props.item)}>
          {" "}
          <Badge tone="danger">{t("messages.urgent")}</Badge>
        </Show>
      </td>
      <td>{props.item.title}</td>
      <td>
        <Show
          when={props.item.read}
          fallback={
            <Button size="sm" variant="ghost" onClick={() => props.onRead(props.item.id)}>
              {t("messages.markRead")}
            </Button>
          }
        >
          <span class="muted small">{t("messages.read")}</span>
        </Show>
      </td>
      <td>
        <Show when={props.item.caseId}>
          {(caseId) => (
            <A
              href={`/cases/${caseId()}`}
              class="btn btn-primary btn-sm"
              onClick={() => {
                if (!props.item.read) props.onRead(props.item.id);
              }}
            >
              {t("messages.open")}
            </A>
          )}
        </Show>
      </td>
    </tr>
  );
}
