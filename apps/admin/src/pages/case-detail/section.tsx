import { TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import type { CaseDetail, Me } from "../../api.ts";
import { mayOn } from "../../session.ts";
import type { DialogState } from "./dialogs.tsx";

/** Props of a section of the case page. */
export type SectionProps = { detail: CaseDetail; me: Me; onDialog: (d: DialogState) => void };

/** Whether the table lets the caller do `permission` on this case (its unit's relation to the owner). */
export const may = (me: Me, c: CaseDetail, permission: Parameters<typeof mayOn>[1]) =>
  mayOn(me, permission, c.ownerCode);
/** Whether the case is still being handled (not terminal, not closed). */
export const open = (c: CaseDetail) => !TERMINAL_STATES.includes(c.status) && c.status !== "closed";

/** One labelled fact of a definition list. */
export function Fact(props: { label: string; value: string; mono?: boolean }) {
  return (
    <div class="case-fact">
      <dt>{props.label}</dt>
      <dd class={props.mono ? "mono" : undefined}>{props.value || "—"}</dd>
    </div>
  );
}
