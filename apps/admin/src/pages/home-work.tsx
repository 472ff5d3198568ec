import { A } from "@solidjs/router";
import { createQuery } from "@tanstack/solid-query";
import type { CaseState } from "@zongzhi/domain/case-workflow";
import { chinaToday, startOfChinaDay } from "@zongzhi/domain/dates";
import { For, type JSX, Show } from "solid-js";
import { type LiaisonItem, type Me, trpc } from "../api.ts";
import { StatusBadge } from "../components/case-common.tsx";
import { QueryState } from "../components/query-state.tsx";
import { formatDateTime, type MessageKey, t } from "../i18n.ts";
import { type HomeSection, homeSectionsFor, mayHere } from "../menu.ts";
import { BookingsCards } from "./home-bookings.tsx";

type CaseFilter = Parameters<typeof trpc.cases.list.query>[0];

/** States in which a case still needs work. */
const OPEN_STATES: CaseState[] = [
  "registered",
  "returned",
  "accepted",
  "triaged",
  "in_mediation",
  "on_hold",
  "not_resolved",
  "referred",
  "awaiting_follow_up",
  "reopened",
];
const SHOWN = 5;

/** Midnight of today in China time (the units' clock). */
function startOfToday(): Date {
  return startOfChinaDay(chinaToday());
}
function today(): string {
  return chinaToday();
}

/** The user's work on the home page: one section per role (issue 12 §1). */
export function HomeWork(props: { me: Me }) {
  const sections = () => homeSectionsFor(props.me);
  return (
    <Show when={sections().length > 0}>
      <h2 class="card-title">{t("console.home.work")}</h2>
      <For each={sections()}>{(section) => <Section section={section} me={props.me} />}</For>
    </Show>
  );
}

function Section(props: { section: HomeSection; me: Me }) {
  const render: Record<HomeSection, () => JSX.Element> = {
    intake: () => (
      <Group title="console.home.intake" id="intake">
        <CaseCard title="console.home.todayIntake" filter={() => ({ registeredSince: startOfToday() })} />
        <CaseCard title="console.home.toAccept" filter={() => ({ status: ["registered"], ownedHere: true })} />
        <CaseCard title="console.home.pendingSummons" filter={() => ({ pendingSummons: true, ownedHere: true })} />
        <Show when={mayHere(props.me, "appointment.handle")}>
          <BookingsCards me={props.me} />
        </Show>
      </Group>
    ),
    mediation: () => (
      <Group title="console.home.mediation" id="mediation">
        <CaseCard title="console.home.myCases" filter={() => ({ mine: "mediating", status: OPEN_STATES })} />
        <CaseCard title="console.home.sessionsToday" filter={() => ({ mine: "mediating", sessionOn: today() })} />
        <CaseCard
          title="console.home.followUps"
          filter={() => ({ mine: "mediating", status: ["awaiting_follow_up"] })}
        />
      </Group>
    ),
    liaison: () => (
      <Group title="console.home.liaison" id="liaison">
        <LiaisonCards />
      </Group>
    ),
    tiers: () => (
      <Group title="console.home.tiers" id="tiers">
        <CaseCard title="console.home.awaitingSignFor" filter={() => ({ awaitingSignFor: true })} />
        <CaseCard title="console.home.returned" filter={() => ({ status: ["returned"], ownedHere: true })} />
        <CaseCard title="console.home.overdue" filter={() => ({ deadlineColour: "red", ownedHere: true })} />
      </Group>
    ),
    reports: () => (
      <Group
        title="console.home.reports"
        id="reports"
        actions={
          <A href="/cases/new" class="btn btn-primary btn-sm">
            {t("console.home.reportNew")}
          </A>
        }
      >
        <CaseCard title="console.home.myReports" filter={() => ({ mine: "registered" })} showStatus />
      </Group>
    ),
  };
  return <>{render[props.section]()}</>;
}

function Group(props: { title: MessageKey; id: string; actions?: JSX.Element; children: JSX.Element }) {
  return (
    <section aria-labelledby={`home-${props.id}`} class="home-group" data-testid={`home-${props.id}`}>
      <div class="home-section-head">
        <h3 id={`home-${props.id}`} class="card-kicker">
          {t(props.title)}
        </h3>
        {props.actions}
      </div>
      <div class="home-grid">{props.children}</div>
    </section>
  );
}

function Card(props: { title: MessageKey; count: number | string; children: JSX.Element }) {
  const headingId = `card-${props.title.replaceAll(".", "-")}`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <div class="home-section-head">
        <h4 id={headingId} class="card-title">
          {t(props.title)}
        </h4>
        <span class="home-count">{t("console.home.count", { n: props.count })}</span>
      </div>
      {props.children}
    </section>
  );
}

/** A work list drawn from `cases.list` with one filter: its count and the first few cases. */
function CaseCard(props: { title: MessageKey; filter: () => CaseFilter; showStatus?: boolean }) {
  const list = createQuery(() => ({
    queryKey: ["cases.list", "home", props.title, props.filter()],
    queryFn: () => trpc.cases.list.query({ ...props.filter(), limit: 100 }),
  }));
  return (
    <QueryState query={list}>
      {(data) => (
        <Card title={props.title} count={data().next ? "100+" : data().items.length}>
          <Show when={data().items.length > 0} fallback={<p class="muted small">{t("console.home.empty")}</p>}>
            <ul class="home-list">
              <For each={data().items.slice(0, SHOWN)}>
                {(item) => (
                  <li>
                    <A href={`/cases/${item.id}`} class="home-item-title" title={item.title}>
                      {item.title}
                    </A>
                    <Show when={props.showStatus} fallback={<span class="mono muted small">{item.code}</span>}>
                      <StatusBadge state={item.status} />
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <Show when={data().items.length > SHOWN}>
              <A href="/cases" class="small">
                {t("console.home.more")}
              </A>
            </Show>
          </Show>
        </Card>
      )}
    </QueryState>
  );
}

/** The liaison's summons: awaiting 报到, and those whose objection window closes within a day. */
function LiaisonCards() {
  const inbox = createQuery(() => ({
    queryKey: ["cases.liaisonInbox", "home"],
    queryFn: () => trpc.cases.liaisonInbox.query({}),
  }));
  const pending = (items: LiaisonItem[]) => items.filter((s) => s.status === "pending");
  const closing = (items: LiaisonItem[]) => {
    const now = Date.now();
    return items
      .filter((s) => s.status !== "done" && s.status !== "objected")
      .filter((s) => {
        const until = new Date(s.objectionDeadline).getTime();
        return until > now && until - now <= 24 * 3600e3;
      })
      .sort((a, b) => new Date(a.objectionDeadline).getTime() - new Date(b.objectionDeadline).getTime());
  };
  const list = (items: LiaisonItem[], line: (s: LiaisonItem) => string) => (
    <Show when={items.length > 0} fallback={<p class="muted small">{t("console.home.empty")}</p>}>
      <ul class="home-list">
        <For each={items.slice(0, SHOWN)}>
          {(s) => (
            <li>
              <A href="/liaison" class="home-item-title" title={s.title}>
                {s.title}
              </A>
              <span class="muted small">{line(s)}</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
  return (
    <QueryState query={inbox}>
      {(data) => (
        <>
          <Card title="console.home.awaitingReport" count={pending(data()).length}>
            {list(pending(data()), (s) => t("console.home.dueAt", { time: formatDateTime(s.dueAt) }))}
          </Card>
          <Card title="console.home.objectionClosing" count={closing(data()).length}>
            {list(closing(data()), (s) =>
              t("console.home.objectionUntil", { time: formatDateTime(s.objectionDeadline) }),
            )}
          </Card>
        </>
      )}
    </QueryState>
  );
}
