import { A } from "@solidjs/router";
import { createQuery } from "@tanstack/solid-query";
import { LEVELS } from "@zongzhi/domain/division";
import { homePageOf } from "@zongzhi/domain/permissions";
import { For, Show } from "solid-js";
import { type Me, trpc } from "../api.ts";
import { DeadlineSummary } from "../components/escalation/deadline-summary.tsx";
import { PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, levelName, roleName, t } from "../i18n.ts";
import { Cockpit } from "../lazy-pages.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { HomeWork } from "./home-work.tsx";

/** Home: my work by role (home-work.tsx), my unit with its tier and path, my roles, and onboarded units below by tier. */
export function DashboardPage() {
  const me = useMe();
  return (
    <>
      {/* Who starts on the cockpit is the permission table's answer (domain homePageOf). */}
      <Show when={homePageOf({ roles: me().roles, scope: me().tenant?.code ?? null }) === "cockpit"}>
        <Cockpit />
      </Show>
      <PageHeader title={t("dashboard.title")} intro={t("dashboard.welcome", { name: me().displayName })} />
      <Show when={me().tenant} fallback={<OperatorHome me={me()} />}>
        <HomeWork me={me()} />
        <UnitHome me={me()} />
      </Show>
      <Show when={me().tenant && can(me(), "stats.read")}>
        <DeadlineSummary />
      </Show>
    </>
  );
}

function OperatorHome(props: { me: Me }) {
  return (
    <section class="card">
      <p>{t("dashboard.operator")}</p>
      <A href="/platform" class="btn btn-primary">
        {t("dashboard.toPlatform")}
      </A>
      <Roles me={props.me} />
    </section>
  );
}

function Roles(props: { me: Me }) {
  return (
    <div class="dash-roles">
      <h2 class="card-title">{t("dashboard.roles")}</h2>
      <div class="badge-row">
        <For each={props.me.roles}>{(role) => <Badge tone="info">{roleName(role)}</Badge>}</For>
      </div>
      <p class="muted small">{t("dashboard.sessionUntil", { time: formatDateTime(props.me.sessionExpiresAt) })}</p>
    </div>
  );
}

function UnitHome(props: { me: Me }) {
  const unit = createQuery(() => ({ queryKey: ["tenants.get", "own"], queryFn: () => trpc.tenants.get.query({}) }));
  const levelsBelow = () => {
    const own = props.me.tenant?.level;
    return own ? LEVELS.slice(LEVELS.indexOf(own)) : [];
  };
  return (
    <QueryState query={unit}>
      {(data) => (
        <div class="dash-grid">
          <section class="card dash-unit" aria-labelledby="my-unit">
            <p class="card-kicker">{t("dashboard.myUnit")}</p>
            <h2 id="my-unit" class="dash-unit-name">
              {data().tenant.name}
            </h2>
            <div class="badge-row">
              <Badge tone="tier">{levelName(data().tenant.level)}</Badge>
              <Badge tone={data().tenant.status === "active" ? "success" : "danger"}>
                {data().tenant.status === "active" ? t("common.active") : t("common.suspended")}
              </Badge>
              <span class="mono muted">{data().tenant.code}</span>
            </div>
            <nav aria-label={t("dashboard.path")} class="breadcrumb">
              <ol>
                <For each={data().path}>
                  {(step, i) => (
                    <li aria-current={i() === data().path.length - 1 ? "location" : undefined}>
                      <span>{step.name}</span>
                    </li>
                  )}
                </For>
              </ol>
            </nav>
            <Roles me={props.me} />
          </section>
          <section class="card dash-counts" aria-labelledby="counts-title">
            <h2 id="counts-title" class="card-title">
              {t("dashboard.counts")}
            </h2>
            <dl class="stat-grid">
              <For each={levelsBelow()}>
                {(level) => (
                  <div class="stat">
                    <dt>{levelName(level)}</dt>
                    <dd>
                      <span class="stat-value">{(data().counts?.[level] ?? 0).toLocaleString()}</span>
                      <span class="stat-unit">{t("dashboard.unitsSuffix")}</span>
                    </dd>
                  </div>
                )}
              </For>
            </dl>
          </section>
        </div>
      )}
    </QueryState>
  );
}
