import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { trpc } from "../api.ts";
import { ConfigPage, DataTable, labels } from "../components/config-page.tsx";
import { TargetConfirm } from "../components/dialogs.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { notify } from "../ui/toast.tsx";

type Session = Awaited<ReturnType<typeof trpc.users.online.query>>[number];
const ONLINE_KEY = ["users.online"] as const;

/** A short name of the browser from its user-agent string (the full string is the cell's title). */
function browserOf(userAgent: string | null): string {
  if (!userAgent) return "";
  const m = /(Edg|Chrome|Firefox|Safari)\/(\d+)/.exec(userAgent);
  return m ? `${m[1] === "Edg" ? "Edge" : m[1]} ${m[2]}` : userAgent.slice(0, 24);
}

/** /system/online: who is signed in in my subtree, with a forced sign-out for administrators (在线用户). */
export function OnlinePage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const sessions = createQuery(() => ({
    queryKey: ONLINE_KEY,
    queryFn: () => trpc.users.online.query(),
    enabled: can(me(), "session.read"),
    refetchInterval: 30_000,
  }));
  const [target, setTarget] = createSignal<Session | null>(null);
  const signOut = createMutation(() => ({
    mutationFn: (s: Session) => trpc.users.signOut.mutate({ sessionId: s.id }),
    onSuccess: (_r, s) => {
      notify(t("online.done", { name: s.displayName }));
      return queryClient.invalidateQueries({ queryKey: ONLINE_KEY });
    },
  }));
  const mayRevoke = (s: Session) => !s.current && mayOn(me(), "session.revoke", s.scopeCode);
  return (
    <ConfigPage
      allowed={can(me(), "session.read")}
      title={t("online.title")}
      intro={t("online.intro")}
      actions={
        <Show when={sessions.data}>
          {(list) => <span class="muted small">{t("online.count", { n: list().length })}</span>}
        </Show>
      }
    >
      <section class="card">
        <QueryState query={sessions}>
          {(list) => (
            <DataTable
              caption={t("online.title")}
              class="table-dense"
              columns={[
                ...labels("online.user online.unit online.signedInAt online.lastActive online.ip online.browser"),
                { label: <span class="sr-only">{t("online.signOut")}</span> },
              ]}
              rows={list()}
            >
              {(s) => (
                <tr>
                  <td>
                    {s.displayName}
                    <span class="muted small">（{s.username}）</span>
                  </td>
                  <td class="small" title={s.scopeCode}>
                    {s.unitName ?? s.scopeCode}
                  </td>
                  <td class="nowrap small">{formatDateTime(s.signedInAt)}</td>
                  <td class="nowrap small">{formatDateTime(s.lastActiveAt)}</td>
                  <td class="mono small">{s.ip}</td>
                  <td class="small" title={s.userAgent ?? undefined}>
                    {browserOf(s.userAgent)}
                  </td>
                  <td>
                    <Show when={!s.current} fallback={<Badge tone="info">{t("online.current")}</Badge>}>
                      <Show when={mayRevoke(s)}>
                        <Button size="sm" variant="danger" onClick={() => setTarget(s)}>
                          {t("online.signOut")}
                        </Button>
                      </Show>
                    </Show>
                  </td>
                </tr>
              )}
            </DataTable>
          )}
        </QueryState>
      </section>
      <TargetConfirm
        target={target()}
        onClose={() => setTarget(null)}
        title={() => t("online.signOut")}
        message={(s) => t("online.confirm", { name: s.displayName })}
        danger
        onConfirm={(s) => signOut.mutateAsync(s)}
      />
    </ConfigPage>
  );
}
