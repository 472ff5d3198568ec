import { useNavigate } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { PARTY_ROLES, type PartyRole } from "@zongzhi/domain/case-records";
import { CHANNELS, type Channel, RISK_GRADES, type RiskGrade } from "@zongzhi/domain/case-workflow";
import { validateCreditCode, validateIdCardNumber, validateMobileNumber } from "@zongzhi/domain/validators";
import { createSignal, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { type CaseRegistration, fieldProblem, type Me, registerCase, trpc } from "../api.ts";
import { channelName, createCategoryOptions, riskName } from "../components/case-common.tsx";
import { FieldError, InputField, RadioGroup, TextArea } from "../components/case-fields.tsx";
import { errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { useMe } from "../components/shell.tsx";
import { pick, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import "./cases.css";
import { ListCard } from "../components/config-page.tsx";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";

type PartyKind = "person" | "organisation";

/** A party being entered. */
interface PartyDraft {
  key: number;
  role: PartyRole;
  kind: PartyKind;
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  orgCode: string;
}

let nextKey = 1;
const emptyParty = (role: PartyRole): PartyDraft => ({
  key: nextKey++,
  role,
  kind: "person",
  name: "",
  idNumber: "",
  phone: "",
  address: "",
  orgCode: "",
});

/** Characters that can never be part of the number, so an error shows at the first wrong key. */
const NOT_ID = /[^\dXx\s-]/;
const NOT_PHONE = /[^\d+\s-]/;
const NOT_CREDIT = /[^0-9A-Za-z\s-]/;

/**
 * The message for an identifier typed so far, or undefined: checked as soon as it is long
 * enough (or has a character it cannot contain), and in full once the form was submitted.
 */
function liveCheck(
  value: string,
  length: number,
  invalidChar: RegExp,
  validate: (v: string) => { ok: true } | { ok: false; reason: { zh: string; en: string } },
  submitted: boolean,
): string | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  if (!submitted && v.replace(/[\s-]/g, "").length < length && !invalidChar.test(v)) return undefined;
  const result = validate(v);
  return result.ok ? undefined : pick(result.reason);
}

/** /cases/new: the intake form (登记). */
export function CaseIntakePage() {
  const me = useMe();
  return (
    <Show when={me().tenant && can(me(), "case.register") ? me() : null} fallback={<Forbidden />}>
      {(m) => <IntakeForm me={m()} />}
    </Show>
  );
}

function IntakeForm(props: { me: Me }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const own = () => props.me.tenant!;
  const [category, setCategory] = createSignal<string | null>(null);
  const categories = createCategoryOptions();
  const [channel, setChannel] = createSignal<Channel | null>("visit");
  const [title, setTitle] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [location, setLocation] = createSignal<string | null>(own().code);
  const [address, setAddress] = createSignal("");
  const [people, setPeople] = createSignal("1");
  const [amount, setAmount] = createSignal("");
  const [group, setGroup] = createSignal(false);
  const [risk, setRisk] = createSignal<RiskGrade>("none");
  const [difficulty, setDifficulty] = createSignal<"simple" | "complex">("simple");
  const [parties, setParties] = createStore<PartyDraft[]>([emptyParty("applicant"), emptyParty("respondent")]);
  const [submitted, setSubmitted] = createSignal(false);
  // One idempotency key per distinct submission: a retry of the same content reuses it.
  let pending: { body: string; key: string } | null = null;

  const children = createQuery(() => ({
    queryKey: ["tenants.units", own().code, "locations"],
    queryFn: () => trpc.tenants.units.query({ parentCode: own().code, limit: 200 }),
    enabled: own().level !== "village",
  }));
  const locationOptions = () => [
    { value: own().code, label: `${own().name}（${own().code}）` },
    ...(children.data?.items ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` })),
  ];

  const register = createMutation(() => ({
    mutationFn: (v: { input: CaseRegistration; key: string }) => registerCase(v.input, v.key),
    onSuccess: (result) => {
      pending = null;
      void queryClient.invalidateQueries({ queryKey: ["cases.list"] });
      notify(t("cases.new.registered", { code: result.code }));
      navigate(`/cases/${result.id}/receipt`);
    },
  }));
  const problem = (path: string) => {
    const f = fieldProblem(register.error, path);
    return f ? pick(f) : undefined;
  };

  // What the browser itself checks; a server message is shown where none of these applies.
  const check = {
    categoryCode: () => (!category() ? t("cases.new.errCategory") : undefined),
    channel: () => (!channel() ? t("cases.new.errChannel") : undefined),
    title: () => (!title().trim() ? t("cases.new.errTitle") : undefined),
    description: () => (!description().trim() ? t("cases.new.errDescription") : undefined),
    locationCode: () => (!location() ? t("cases.new.errLocation") : undefined),
    peopleCount: () => {
      const n = Number(people());
      return people() !== "" && (!Number.isInteger(n) || n < 1) ? t("cases.new.errPeople") : undefined;
    },
    amountYuan: () => {
      const v = amount().trim();
      return v !== "" && !/^\d+(\.\d{1,2})?$/.test(v) ? t("cases.new.errAmount") : undefined;
    },
  };
  type Field = keyof typeof check;
  // Required fields complain after a submission; number formats as soon as they are typed.
  const asYouType: Field[] = ["peopleCount", "amountYuan"];
  const error = (field: Field) =>
    (submitted() || asYouType.includes(field) ? check[field]() : undefined) ?? problem(field);
  const partyCheck = (p: PartyDraft, full: boolean) => ({
    name: full && !p.name.trim() ? t("cases.new.errName") : undefined,
    idNumber: p.kind === "person" ? liveCheck(p.idNumber, 18, NOT_ID, validateIdCardNumber, full) : undefined,
    phone: liveCheck(p.phone, 11, NOT_PHONE, validateMobileNumber, full),
    orgCode: p.kind === "organisation" ? liveCheck(p.orgCode, 18, NOT_CREDIT, validateCreditCode, full) : undefined,
  });
  const partyErrors = (p: PartyDraft, i: number) => {
    const c = partyCheck(p, submitted());
    return {
      name: c.name ?? problem(`parties.${i}.name`),
      idNumber: c.idNumber ?? problem(`parties.${i}.idNumber`),
      phone: c.phone ?? problem(`parties.${i}.phone`),
      orgCode: c.orgCode ?? problem(`parties.${i}.orgCode`),
    };
  };
  const noApplicant = () => !parties.some((p) => p.role === "applicant");
  const noApplicantPhone = () =>
    !noApplicant() && !parties.some((p) => p.role === "applicant" && p.phone.trim() !== "");

  const submit = () => {
    setSubmitted(true);
    if (clientErrors()) return;
    const input: CaseRegistration = {
      categoryCode: category()!,
      channel: channel()!,
      title: title().trim(),
      description: description().trim(),
      locationCode: location()!,
      address: address().trim() || null,
      peopleCount: Number(people() || "1"),
      amountYuan: amount().trim() === "" ? null : Number(amount()),
      groupDispute: group(),
      riskGrade: risk(),
      difficulty: difficulty(),
      parties: parties.map((p) => ({
        role: p.role,
        kind: p.kind,
        name: p.name.trim(),
        idNumber: p.kind === "person" ? p.idNumber.trim() || null : null,
        phone: p.phone.trim() || null,
        address: p.address.trim() || null,
        orgCode: p.kind === "organisation" ? p.orgCode.trim() || null : null,
      })),
    };
    const body = JSON.stringify(input);
    if (!pending || pending.body !== body) pending = { body, key: crypto.randomUUID() };
    register.mutate({ input, key: pending.key });
  };
  /** Whether anything the browser itself checks is wrong (server messages do not block a retry). */
  const clientErrors = () =>
    Object.values(check).some((f) => f()) ||
    noApplicant() ||
    noApplicantPhone() ||
    parties.some((p) => Object.values(partyCheck(p, true)).some(Boolean));
  const knownPaths = () =>
    parties
      .flatMap((_, i) => ["name", "idNumber", "phone", "orgCode"].map((f) => `parties.${i}.${f}`))
      .concat(Object.keys(check));
  const otherError = () => (register.error && !knownPaths().some((p) => problem(p)) ? errorText(register.error) : null);

  return (
    <>
      <PageHeader title={t("cases.new.title")} intro={t("cases.new.intro")} />
      <Form class="case-form" onSubmit={submit} noValidate ariaLabel={t("cases.new.title")}>
        <Section id="intake-basics" title={t("cases.new.basics")} class="card">
          <div class="form">
            <div class="field-row">
              <div>
                <Select
                  label={t("cases.category")}
                  placeholder={t("cases.new.categoryPlaceholder")}
                  options={categories()}
                  value={category()}
                  onChange={setCategory}
                />
                <FieldError error={error("categoryCode")} />
              </div>
              <div>
                <Select
                  label={t("cases.channel")}
                  placeholder={t("cases.new.channelPlaceholder")}
                  options={optionsOf(CHANNELS, channelName)}
                  value={channel()}
                  onChange={(v) => setChannel(v as Channel | null)}
                />
                <FieldError error={error("channel")} />
              </div>
            </div>
            <TextField
              label={t("cases.new.titleLabel")}
              value={title()}
              onChange={setTitle}
              description={t("cases.new.titleHint")}
              error={error("title")}
              required
            />
            <TextArea
              label={t("cases.new.description")}
              value={description()}
              onChange={setDescription}
              description={t("cases.new.descriptionHint")}
              error={error("description")}
              rows={4}
              maxLength={5000}
              required
            />
          </div>
        </Section>

        <Section id="intake-place" title={t("cases.new.place")} class="card">
          <div class="field-row">
            <div>
              <Select
                label={t("cases.new.location")}
                options={locationOptions()}
                value={location()}
                onChange={setLocation}
              />
              <p class="field-hint">{t("cases.new.locationHint")}</p>
              <FieldError error={error("locationCode")} />
            </div>
            <TextField label={t("cases.new.address")} value={address()} onChange={setAddress} />
          </div>
        </Section>

        <Section id="intake-scale" title={t("cases.new.scale")} class="card">
          <div class="form">
            <div class="field-row">
              <InputField
                type="number"
                label={t("cases.peopleCount")}
                value={people()}
                onChange={setPeople}
                min={1}
                step={1}
                inputMode="numeric"
                error={error("peopleCount")}
              />
              <InputField
                type="text"
                label={t("cases.new.amount")}
                value={amount()}
                onChange={setAmount}
                inputMode="decimal"
                error={error("amountYuan")}
              />
            </div>
            <Checkbox
              label={t("cases.new.groupDispute")}
              description={t("cases.new.groupHint")}
              checked={group()}
              onChange={setGroup}
            />
            <RadioGroup
              legend={t("cases.new.riskLegend")}
              name="riskGrade"
              options={RISK_GRADES.map((g) => ({
                value: g,
                label: riskName(g),
                hint: t(`cases.risk.${g}Hint`),
              }))}
              value={risk()}
              onChange={setRisk}
              class="risk-options"
            />
            <RadioGroup
              legend={t("cases.new.difficultyLegend")}
              name="difficulty"
              options={[
                { value: "simple" as const, label: t("cases.difficulty.simple") },
                { value: "complex" as const, label: t("cases.difficulty.complex") },
              ]}
              value={difficulty()}
              onChange={setDifficulty}
            />
          </div>
        </Section>

        <ListCard
          id="intake-parties"
          title={t("cases.new.parties")}
          actions={
            <Button size="sm" onClick={() => setParties(parties.length, emptyParty("third_party"))}>
              {t("cases.new.addParty")}
            </Button>
          }
        >
          <div class="party-list">
            <For each={parties}>
              {(party, i) => {
                const errs = () => partyErrors(party, i());
                const idInfo = () => {
                  const v = validateIdCardNumber(party.idNumber);
                  return v.ok ? t("cases.new.idOk", { birth: v.birthDate }) : t("cases.new.idHint");
                };
                return (
                  <fieldset class="fieldset party">
                    <legend>{t("cases.new.party", { n: i() + 1 })}</legend>
                    <div class="party-head">
                      <RadioGroup
                        legend={t("cases.new.partyRole")}
                        name={`role-${party.key}`}
                        options={PARTY_ROLES.map((r) => ({
                          value: r,
                          label: t(`cases.role.${r}`),
                        }))}
                        value={party.role}
                        onChange={(v) => setParties(i(), "role", v)}
                        class="compact"
                      />
                      <RadioGroup
                        legend={t("cases.new.partyKind")}
                        name={`kind-${party.key}`}
                        options={[
                          { value: "person" as const, label: t("cases.new.person") },
                          { value: "organisation" as const, label: t("cases.new.organisation") },
                        ]}
                        value={party.kind}
                        onChange={(v) => setParties(i(), "kind", v)}
                        class="compact"
                      />
                      <Show when={parties.length > 1}>
                        <Button
                          size="sm"
                          variant="ghost"
                          class="btn-danger-text"
                          aria-label={t("cases.new.removeParty", { n: i() + 1 })}
                          onClick={() => setParties((list) => list.filter((p) => p.key !== party.key))}
                        >
                          ×
                        </Button>
                      </Show>
                    </div>
                    <div class="field-row">
                      <TextField
                        label={party.kind === "person" ? t("cases.new.name") : t("cases.new.orgName")}
                        value={party.name}
                        onChange={(v) => setParties(i(), "name", v)}
                        error={errs().name}
                        autocomplete="off"
                        required
                      />
                      <Show
                        when={party.kind === "person"}
                        fallback={
                          <TextField
                            label={t("cases.new.orgCode")}
                            value={party.orgCode}
                            onChange={(v) => setParties(i(), "orgCode", v)}
                            description={t("cases.new.orgCodeHint")}
                            error={errs().orgCode}
                            autocomplete="off"
                            inputClass="mono"
                          />
                        }
                      >
                        <TextField
                          label={t("cases.new.idNumber")}
                          value={party.idNumber}
                          onChange={(v) => setParties(i(), "idNumber", v)}
                          description={idInfo()}
                          error={errs().idNumber}
                          autocomplete="off"
                          inputClass="mono"
                        />
                      </Show>
                    </div>
                    <div class="field-row">
                      <InputField
                        type="tel"
                        label={t("cases.new.phone")}
                        value={party.phone}
                        onChange={(v) => setParties(i(), "phone", v)}
                        description={party.role === "applicant" ? t("cases.new.phoneHint") : undefined}
                        error={errs().phone}
                        inputMode="tel"
                        inputClass="mono"
                      />
                      <TextField
                        label={t("cases.new.partyAddress")}
                        value={party.address}
                        onChange={(v) => setParties(i(), "address", v)}
                        autocomplete="off"
                      />
                    </div>
                  </fieldset>
                );
              }}
            </For>
          </div>
          <Show when={submitted() && noApplicant()}>
            <p class="field-error">{t("cases.new.errApplicant")}</p>
          </Show>
          <Show when={submitted() && noApplicantPhone()}>
            <p class="field-error">{t("cases.new.errContact")}</p>
          </Show>
          <FieldError error={problem("parties")} />
        </ListCard>

        <Show when={submitted() && clientErrors()}>
          <Alert tone="warning">{t("cases.new.fixErrors")}</Alert>
        </Show>
        <Show when={otherError()}>
          <Alert>{otherError()}</Alert>
        </Show>
        <div class="form-actions case-form-actions">
          <Button type="submit" variant="primary" disabled={register.isPending}>
            {register.isPending ? t("cases.new.submitting") : t("cases.new.submit")}
          </Button>
        </div>
      </Form>
    </>
  );
}
