import { z } from "zod";
import { instant, int32, serialId, strict } from "../input.ts";
import { auditLine, logFilterFields, logPage } from "../schemas/logs.ts";
import { listAudit, searchLog } from "../services/audit.ts";
import { allowed, router } from "../trpc.ts";

/** The security audit, the operation log (操作日志) and the sign-in log (登录日志) of the caller's subtree. */
export const auditRouter = router({
  list: allowed("audit.read")
    .input(strict({ before: serialId().optional(), limit: int32({ min: 1, max: 200 }).default(50) }))
    .output(z.array(auditLine))
    .query(({ ctx, input }) => ctx.run((tx) => listAudit(tx, input))),

  /** One of the two logs, filtered by user, unit, action, object and time; newest first. */
  search: allowed("audit.read")
    .input(
      strict({
        log: z.enum(["operations", "sign_in"]),
        ...logFilterFields,
        from: instant().optional(),
        to: instant().optional(),
        before: serialId().optional(),
        limit: int32({ min: 1, max: 500 }).default(50),
      }),
    )
    .output(logPage)
    .query(({ ctx, input }) =>
      ctx.run((tx) =>
        searchLog(tx, {
          ...input,
          actor: input.actor || undefined,
          object: input.object || undefined,
        }),
      ),
    ),
});
