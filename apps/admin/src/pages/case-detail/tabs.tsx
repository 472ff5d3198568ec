import { type JSX, Show } from "solid-js";
import { CasePath } from "../../components/escalation/case-path.tsx";
import { t } from "../../i18n.ts";
import { can } from "../../session.ts";
import type { TabItem } from "../../ui/tabs.tsx";
import { Agreements, agreementsShown } from "./agreements.tsx";
import { Attachments } from "./attachments.tsx";
import { Confirmations, confirmationsShown } from "./confirmations.tsx";
import { Deadlines } from "./deadlines.tsx";
import { FollowUps, followUpsShown } from "./follow-ups.tsx";
import { Overview } from "./header.tsx";
import { Integrity } from "./integrity.tsx";
import { Referrals } from "./referrals.tsx";
import { Related } from "./related.tsx";
import type { SectionProps } from "./section.tsx";
import { Sessions, sessionsShown } from "./sessions.tsx";
import { Summons, summonsShown } from "./summons.tsx";
import { Timeline } from "./timeline.tsx";

/** A tab's panel, or one quiet line when none of its sections has anything to show or offer. */
function Panel(props: { shown: boolean; empty: string; children: JSX.Element }) {
  return (
    <Show when={props.shown} fallback={<p class="muted tab-empty">{props.empty}</p>}>
      {props.children}
    </Show>
  );
}

/**
 * The tabs of the case page (概况 / 当事人 / 办理 / 调解 / 时限 / 材料 / 时间线, and 完整性校验 for
 * auditors, whose digests the server gives no one else). `props` is read reactively: the tabs
 * are built once and follow the case as it is read again.
 */
export function caseTabs(props: SectionProps & { parties: () => JSX.Element }): TabItem[] {
  const c = () => props.detail;
  const handling = () => summonsShown(props) || c().referrals.length > 0;
  const mediation = () =>
    sessionsShown(props) || agreementsShown(props) || confirmationsShown(props) || followUpsShown(props);
  const openClocks = () => (c().deadlines ?? []).filter((d) => !d.completedAt).length;
  const items: TabItem[] = [
    {
      value: "overview",
      label: t("cases.tab.overview"),
      panel: () => (
        <>
          <Overview detail={c()} />
          <CasePath case={c()} me={props.me} />
        </>
      ),
    },
    {
      value: "parties",
      label: t("cases.tab.parties"),
      count: () => c().parties.length,
      panel: () => (
        <>
          {props.parties()}
          <Related detail={c()} />
        </>
      ),
    },
    {
      value: "handling",
      label: t("cases.tab.handling"),
      count: () => c().summons.length + c().referrals.length,
      panel: () => (
        <Panel shown={handling()} empty={t("cases.tab.emptyHandling")}>
          <Summons {...props} />
          <Referrals detail={c()} />
        </Panel>
      ),
    },
    {
      value: "mediation",
      label: t("cases.tab.mediation"),
      count: () => c().sessions.length + c().agreements.length + c().confirmations.length + c().followUps.length,
      panel: () => (
        <Panel shown={mediation()} empty={t("cases.tab.emptyMediation")}>
          <Sessions {...props} />
          <Agreements {...props} />
          <Confirmations {...props} />
          <FollowUps {...props} />
        </Panel>
      ),
    },
    {
      value: "deadlines",
      label: t("cases.tab.deadlines"),
      count: openClocks,
      panel: () => (
        <Panel shown={(c().deadlines ?? []).length > 0} empty={t("cases.tab.emptyDeadlines")}>
          <Deadlines detail={c()} />
        </Panel>
      ),
    },
    {
      value: "materials",
      label: t("cases.tab.materials"),
      count: () => c().attachments.length,
      panel: () => <Attachments {...props} />,
    },
    {
      value: "timeline",
      label: t("cases.tab.timeline"),
      count: () => c().events.length,
      panel: () => <Timeline events={c().events} />,
    },
  ];
  if (can(props.me, "case.integrity")) {
    items.push({
      value: "integrity",
      label: t("cases.tab.integrity"),
      panel: () => <Integrity id={c().id} />,
    });
  }
  return items;
}
