import { useLocation, useNavigate, useParams } from "@solidjs/router";
import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Match, Show, Switch } from "solid-js";
import { type Me, trpc } from "../../api.ts";
import { Forbidden, LoadError, Loading, PageHeader } from "../../components/page.tsx";
import { withReauth } from "../../components/reauth.tsx";
import { useMe } from "../../components/shell.tsx";
import { t } from "../../i18n.ts";
import { mayOn, readsCases } from "../../session.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { Tabs } from "../../ui/tabs.tsx";
import { DialogBody, type DialogState, dialogTitle } from "./dialogs.tsx";
import { Header } from "./header.tsx";
import { Parties } from "./parties.tsx";
import { Steps } from "./steps.tsx";
import { caseTabs } from "./tabs.tsx";
import "../cases.css";

/** /cases/:id: the whole case with its timeline, the actions the caller may take, and their dialogs. */
export function CaseDetailPage() {
  const me = useMe();
  const params = useParams<{ id: string }>();
  return (
    <Show when={readsCases(me())} fallback={<Forbidden />}>
      <Show when={params.id} keyed>
        {(id) => <CaseView id={id} me={me()} />}
      </Show>
    </Show>
  );
}

function CaseView(props: { id: string; me: Me }) {
  const queryClient = useQueryClient();
  const detail = createQuery(() => ({
    queryKey: ["cases.get", props.id],
    queryFn: async () => await trpc.cases.get.query({ id: props.id }),
  }));
  // Revealing is audited on every read: fetch it once, keep it out of the refetches of the case.
  const [reveal, setReveal] = createSignal(false);
  const revealed = createQuery(() => ({
    queryKey: ["cases.reveal", props.id],
    // A proof of identity within the last minutes is asked for first when the session is older.
    queryFn: async () => (await withReauth(() => trpc.cases.get.query({ id: props.id, reveal: true }))).parties,
    enabled: reveal(),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  }));
  const hide = () => {
    setReveal(false);
    queryClient.removeQueries({ queryKey: ["cases.reveal", props.id] });
  };
  const [dialog, setDialog] = createSignal<DialogState | null>(null);
  const close = () => setDialog(null);
  // The open tab is the address's #fragment, so a link (or a reload) opens the same tab.
  const location = useLocation();
  const navigate = useNavigate();
  const tab = () => location.hash.replace(/^#/, "") || "overview";
  const setTab = (value: string) =>
    navigate(`${location.pathname}${value === "overview" ? "" : `#${value}`}`, { replace: true, scroll: false });

  return (
    <Switch fallback={<Loading />}>
      <Match when={detail.isError}>
        <PageHeader title={t("cases.detail.overview")} />
        <LoadError error={detail.error} retry={() => detail.refetch()} />
      </Match>
      <Match when={detail.data}>
        {(c) => {
          const tabs = caseTabs({
            get detail() {
              return c();
            },
            me: props.me,
            onDialog: setDialog,
            parties: () => (
              <Parties
                parties={reveal() && revealed.data ? revealed.data : c().parties}
                canReveal={mayOn(props.me, "personal.reveal", c().ownerCode)}
                revealed={reveal() && Boolean(revealed.data)}
                revealing={reveal() && revealed.isFetching}
                onReveal={() => setReveal(true)}
                onHide={hide}
              />
            ),
          });
          return (
            <>
              <Header detail={c()} me={props.me} onDialog={setDialog} />
              <Steps detail={c()} />
              <Tabs label={t("cases.tab.label")} value={tab()} onChange={setTab} items={tabs} />
              <Dialog
                open={dialog() !== null}
                onOpenChange={(open) => !open && close()}
                title={dialogTitle(dialog())}
                size="lg"
              >
                <Show when={dialog()} keyed>
                  {(d) => <DialogBody state={d} detail={c()} me={props.me} onClose={close} />}
                </Show>
              </Dialog>
            </>
          );
        }}
      </Match>
    </Switch>
  );
}
