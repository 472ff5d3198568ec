import { type Accessor, type JSX, Match, Show, Switch } from "solid-js";
import { t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";
import { LoadError, Loading } from "./page.tsx";

/** What {@link QueryState} reads of a query (a TanStack `createQuery` or `createInfiniteQuery` result). */
export interface QueryLike<D> {
  data: D | undefined;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Props of {@link QueryState}: the query, what to show when it is empty, and the data view. */
export interface QueryStateProps<D, T> {
  query: QueryLike<D>;
  /** Reshapes the data before it is shown (e.g. the rows of an infinite query). */
  select?: (data: D) => T;
  /** Shown instead of the data when `isEmpty` holds; a string becomes a muted line. */
  empty?: JSX.Element;
  /** When the data counts as empty; by default an empty list. */
  isEmpty?: (data: T) => boolean;
  loading?: JSX.Element;
  /** The data view: elements, or a function of the data when the view reads it. */
  children: JSX.Element | ((data: Accessor<T>) => JSX.Element);
}

/** The four states of a load in one place: loading, the server's error with a retry, empty, or the data. */
export function QueryState<D>(props: QueryStateProps<D, D>): JSX.Element;
export function QueryState<D, T>(props: QueryStateProps<D, T> & { select: (data: D) => T }): JSX.Element;
export function QueryState(props: QueryStateProps<unknown, unknown>): JSX.Element {
  const value = (): unknown => {
    const data = props.query.data;
    if (data === undefined) return undefined;
    return props.select ? props.select(data) : data;
  };
  const empty = () => {
    const v = value();
    if (v === undefined || props.empty === undefined) return false;
    return props.isEmpty ? props.isEmpty(v) : Array.isArray(v) && v.length === 0;
  };
  return (
    <Switch fallback={props.loading ?? <Loading />}>
      <Match when={props.query.isError}>
        <LoadError error={props.query.error} retry={() => props.query.refetch()} />
      </Match>
      <Match when={empty()}>{typeof props.empty === "string" ? <p class="muted">{props.empty}</p> : props.empty}</Match>
      <Match when={value() !== undefined}>
        {(() => {
          // Read here, inside the match: the view is built only once there is data.
          const view = props.children;
          return typeof view === "function" ? view(value) : view;
        })()}
      </Match>
    </Switch>
  );
}

/** What {@link TableFoot} reads of an infinite query. */
export interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * The foot of a paged list: an optional count, then the button for the next page (加载更多, or
 * 更早的记录 for logs), or `end` when there is none.
 */
export function TableFoot(props: { query: PagedQuery; count?: string; older?: boolean; end?: string }) {
  return (
    <div class="table-foot">
      <Show when={props.count}>
        <span class="muted small">{props.count}</span>
      </Show>
      <Show when={props.query.hasNextPage} fallback={props.end && <span class="muted small">{props.end}</span>}>
        <Button size="sm" disabled={props.query.isFetchingNextPage} onClick={() => props.query.fetchNextPage()}>
          {props.query.isFetchingNextPage ? t("app.loading") : props.older ? t("common.older") : t("common.loadMore")}
        </Button>
      </Show>
    </div>
  );
}
