import { int32, serialId, strict } from "../input.ts";
import { listAudit } from "../services/audit.ts";
import { allowed, router } from "../trpc.ts";

/** The security audit of the caller's subtree, newest first. */
export const auditRouter = router({
  list: allowed("audit.read")
    .input(strict({ before: serialId().optional(), limit: int32({ min: 1, max: 200 }).default(50) }))
    .query(({ ctx, input }) => ctx.run((tx) => listAudit(tx, input))),
});
