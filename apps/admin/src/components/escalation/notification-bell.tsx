import * as KPopover from "@kobalte/core/popover";
import { A } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createEffect, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { type Outputs, trpc } from "../../api.ts";
import { formatDateTime, locale, t } from "../../i18n.ts";
import { Button } from "../../ui/button.tsx";
import { cx } from "../../ui/cx.ts";
import { notify } from "../../ui/toast.tsx";
import { INBOX_KEY, SUPERVISIONS_KEY } from "./escalation-common.tsx";
import "./escalation.css";

/** One item of the inbox. */
type InboxItem = Outputs["escalation"]["inbox"]["items"][number];

const PAGE = 20;
const MOST = 100;

/**
 * Keeps the inbox live: one Server-Sent-Events stream per signed-in tab (/events, same-origin
 * cookie). Each notification for the user's unit refetches the inbox and the lists it touches;
 * EventSource reconnects by itself, and a reconnect ("ready" again) catches up on what was missed.
 */
function useLiveInbox() {
  const queryClient = useQueryClient();
  onMount(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource("/events");
    let connected = false;
    const refetch = () => {
      void queryClient.invalidateQueries({ queryKey: INBOX_KEY });
      void queryClient.invalidateQueries({ queryKey: SUPERVISIONS_KEY });
      void queryClient.invalidateQueries({ queryKey: ["cases.list"] });
      void queryClient.invalidateQueries({ queryKey: ["escalation.deadlineCounts"] });
      // A new online booking shows on the clerk's home at once.
      void queryClient.invalidateQueries({ queryKey: ["appointments.list"] });
    };
    source.addEventListener("ready", () => {
      if (connected) refetch();
      connected = true;
    });
    source.addEventListener("notification", refetch);
    onCleanup(() => source.close());
  });
}

/** Urgent notifications: urgent escalations, supervisions, decisions only a leader may take. */
export function isUrgent(item: { kind: string; title: string }): boolean {
  return (
    item.title.startsWith("【紧急】") || item.kind === "supervision.opened" || item.kind === "case.leader_decision"
  );
}

/** Kind of a notification in words (上报, 交办, 督办 …). */
export function kindName(kind: string): string {
  switch (kind) {
    case "case.escalated":
    case "case.assigned":
    case "case.returned":
    case "case.leader_decision":
    case "supervision.opened":
    case "supervision.notice":
    case "appointment.booked":
      return t(`escalation.kind.${kind}`);
    default:
      return t("escalation.kind.other");
  }
}

/**
 * The header's bell: the unread count of the unit's inbox, live, and the latest notifications
 * in a panel; opening one marks it read and goes to its case.
 */
export function NotificationBell() {
  useLiveInbox();
  const queryClient = useQueryClient();
  const [open, setOpen] = createSignal(false);
  const [limit, setLimit] = createSignal(PAGE);
  const inbox = createQuery(() => ({
    queryKey: [...INBOX_KEY, limit()],
    queryFn: () => trpc.escalation.inbox.query({ limit: limit() }),
    placeholderData: (previous) => previous,
  }));
  const unread = () => inbox.data?.unread ?? 0;
  const items = () => inbox.data?.items ?? [];
  const markRead = createMutation(() => ({
    mutationFn: (ids: number[]) => trpc.escalation.markRead.mutate({ ids }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: INBOX_KEY }),
  }));
  // Screen readers hear of a new notification once (not of the first load, even an empty one).
  const [announce, setAnnounce] = createSignal("");
  let primed = false;
  let last: number | undefined;
  createEffect(
    on(
      () => [inbox.data !== undefined, items()[0]?.id] as const,
      ([loaded, newest]) => {
        if (!loaded) return;
        const item = items()[0];
        if (primed && newest !== undefined && newest !== last && item && !item.read) {
          setAnnounce(t("escalation.bell.new", { title: item.title }));
          // Urgent ones also pop up as a toast (message centre, issue 12).
          if (isUrgent(item)) notify(item.title, "error");
        }
        primed = true;
        last = newest;
      },
    ),
  );
  const label = () => (unread() > 0 ? t("escalation.bell.labelUnread", { n: unread() }) : t("escalation.bell.label"));
  return (
    <>
      <KPopover.Root open={open()} onOpenChange={setOpen} placement="bottom-end" gutter={6}>
        <KPopover.Trigger class="btn btn-ghost btn-sm header-button bell-button" aria-label={label()}>
          <svg class="bell-icon" viewBox="0 0 24 24" aria-hidden="true">
            <path
              d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.5A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15.5a2.5 2.5 0 0 0 5 0"
              fill="none"
              stroke="currentColor"
              stroke-width="1.8"
              stroke-linejoin="round"
            />
          </svg>
          <Show when={unread() > 0}>
            <span class="bell-count" aria-hidden="true">
              {unread() > 99 ? "99+" : unread()}
            </span>
          </Show>
        </KPopover.Trigger>
        <KPopover.Portal>
          <KPopover.Content class="bell-panel">
            <div class="bell-head">
              <KPopover.Title class="bell-title">{t("escalation.bell.title")}</KPopover.Title>
              <span class="muted small">{t("escalation.bell.unread", { n: unread() })}</span>
              <Button
                size="sm"
                variant="link"
                class="bell-all"
                disabled={unread() === 0 || markRead.isPending}
                onClick={() => markRead.mutate([])}
              >
                {t("escalation.bell.markAll")}
              </Button>
            </div>
            <Show when={items().length > 0} fallback={<p class="bell-empty muted">{t("escalation.bell.empty")}</p>}>
              <ul class="bell-list" aria-label={t("escalation.bell.list")}>
                <For each={items()}>
                  {(item) => (
                    <li class={cx("bell-item", !item.read && "bell-item-unread")}>
                      <BellItem
                        item={item}
                        onOpen={() => {
                          if (!item.read) markRead.mutate([item.id]);
                          setOpen(false);
                        }}
                      />
                    </li>
                  )}
                </For>
              </ul>
              <A href="/messages" class="bell-more small" onClick={() => setOpen(false)}>
                {t("messages.all")}
              </A>
              <Show when={items().length >= limit() && limit() < MOST}>
                <Button size="sm" variant="ghost" class="bell-more" onClick={() => setLimit(limit() + PAGE)}>
                  {t("common.loadMore")}
                </Button>
              </Show>
            </Show>
          </KPopover.Content>
        </KPopover.Portal>
      </KPopover.Root>
      <span class="sr-only" aria-live="polite">
        {announce()}
      </span>
    </>
  );
}

function BellItem(props: { item: InboxItem; onOpen: () => void }) {
  const body = () => (
    <>
      <span class="bell-item-kind">
        <Show when={!props.item.read}>
          <span class="bell-dot" aria-hidden="true" />
          <span class="sr-only">{t("escalation.bell.unreadItem")}</span>
        </Show>
        {/* The server's titles are Chinese and begin with the kind; English readers get it in words. */}
        <Show when={locale() === "en"}>{kindName(props.item.kind)} · </Show>
        <span class="muted small">{formatDateTime(props.item.createdAt)}</span>
      </span>
      <span class="bell-item-title">{props.item.title}</span>
    </>
  );
  return (
    <Show when={props.item.caseId} fallback={<div class="bell-item-link">{body()}</div>}>
      {(caseId) => (
        <A href={`/cases/${caseId()}`} class="bell-item-link" onClick={() => props.onOpen()}>
          {body()}
        </A>
      )}
    </Show>
  );
}
