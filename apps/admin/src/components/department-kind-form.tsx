import { createMutation, useQueryClient } from "@tanstack/solid-query";
import { departmentKindInput } from "@zongzhi/api/schemas/centre";
import { type Inputs, trpc } from "../api.ts";
import { t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import { categoryName, FormError, KIND_CATEGORIES, type KindCategory } from "./centre.tsx";
import { errorText } from "./page.tsx";
import { createSchemaForm } from "./schema-form.ts";

/** Adds a department kind to the catalogue of the caller's subtree and picks it. */
export function NewKindForm(props: { onAdded: (code: string) => void }) {
  const queryClient = useQueryClient();
  const add = createMutation(() => ({
    mutationFn: (input: Inputs["centre"]["addDepartmentKind"]) => trpc.centre.addDepartmentKind.mutate(input),
    onSuccess: async (kind) => {
      await queryClient.invalidateQueries({ queryKey: ["centre.departmentKinds"] });
      notify(t("centre.dept.kindAdded", { name: kind.name }));
      props.onAdded(kind.code);
    },
  }));
  const form = createSchemaForm({
    schema: departmentKindInput,
    initial: { name: "", code: "", category: "administrative" as KindCategory },
    toInput: (d) => ({ ...d }),
    serverError: () => add.error,
  });
  return (
    <fieldset class="fieldset new-kind">
      <legend>{t("centre.dept.newKind")}</legend>
      <p class="field-hint">{t("centre.dept.newKindHint")}</p>
      <div class="field-row">
        <TextField label={t("centre.dept.kindName")} {...form.text("name")} required />
        <TextField
          label={t("centre.dept.kindCode")}
          {...form.text("code")}
          description={t("centre.dept.kindCodeHint")}
          inputClass="mono"
          required
        />
      </div>
      <Select
        label={t("centre.dept.kindCategory")}
        options={optionsOf(KIND_CATEGORIES, categoryName)}
        {...form.choice("category")}
      />
      <FormError error={add.error} known={form.known} text={errorText} />
      <div>
        <Button
          size="sm"
          variant="primary"
          disabled={add.isPending}
          onClick={() => {
            const input = form.submit();
            if (input) add.mutate(input);
          }}
        >
          {t("centre.dept.kindSubmit")}
        </Button>
      </div>
    </fieldset>
  );
}
