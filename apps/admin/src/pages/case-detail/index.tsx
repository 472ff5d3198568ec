import { useParams } from "@solidjs/router";
import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Match, Show, Switch } from "solid-js";
import { type Me, trpc } from "../../api.ts";
import { CasePath } from "../../components/escalation/case-path.tsx";
import { Forbidden, LoadError, Loading, PageHeader } from "../../components/page.tsx";
import { useMe } from "../../components/shell.tsx";
import { t } from "../../i18n.ts";
import { mayOn, readsCases } from "../../session.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { Agreements } from "./agreements.tsx";
import { Attachments } from "./attachments.tsx";
import { Confirmations } from "./confirmations.tsx";
import { Deadlines } from "./deadlines.tsx";
import { DialogBody, type DialogState, dialogTitle } from "./dialogs.tsx";
import { FollowUps } from "./follow-ups.tsx";
import { Header } from "./header.tsx";
import { Parties } from "./parties.tsx";
import { Referrals } from "./referrals.tsx";
import { Related } from "./related.tsx";
import { Sessions } from "./sessions.tsx";
import { Steps } from "./steps.tsx";
import { Summons } from "./summons.tsx";
import { Timeline } from "./timeline.tsx";
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
    queryFn: async () => (await trpc.cases.get.query({ id: props.id, reveal: true })).parties,
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

  return (
    <Switch fallback={<Loading />}>
      <Match when={detail.isError}>
        <PageHeader title={t("cases.detail.overview")} />
        <LoadError error={detail.error} retry={() => detail.refetch()} />
      </Match>
      <Match when={detail.data}>
        {(c) => (
          <>
            <Header detail={c()} me={props.me} onDialog={setDialog} />
            <Steps detail={c()} />
            <div class="case-layout">
              <div class="case-main">
                <Parties
                  parties={reveal() && revealed.data ? revealed.data : c().parties}
                  canReveal={mayOn(props.me, "personal.reveal", c().ownerCode)}
                  revealed={reveal() && Boolean(revealed.data)}
                  revealing={reveal() && revealed.isFetching}
                  onReveal={() => setReveal(true)}
                  onHide={hide}
                />
                <CasePath case={c()} me={props.me} />
                <Deadlines detail={c()} />
                <Summons detail={c()} me={props.me} onDialog={setDialog} />
                <Sessions detail={c()} me={props.me} onDialog={setDialog} />
                <Agreements detail={c()} me={props.me} onDialog={setDialog} />
                <Confirmations detail={c()} me={props.me} onDialog={setDialog} />
                <Referrals detail={c()} />
                <FollowUps detail={c()} me={props.me} onDialog={setDialog} />
                <Attachments detail={c()} />
                <Related detail={c()} />
              </div>
              <Timeline events={c().events} />
            </div>
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
        )}
      </Match>
    </Switch>
  );
}
