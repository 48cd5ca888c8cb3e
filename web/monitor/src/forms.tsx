/** The report forms: each builds one report body from what the monitor enters. */
import { useState } from "preact/hooks";
import { Photos } from "./photos";
import { fill, protocolProblems } from "./protocol";
import { say, type Key, type Lang } from "./strings";
import type { Body, Forms, Protocol } from "./types";

export type Kind = "readiness" | "opening" | "closing" | "turnout" | "incident" | "protocol";
export const KINDS: { kind: Kind; label: Key }[] = [
  { kind: "readiness", label: "formReadiness" },
  { kind: "opening", label: "formOpening" },
  { kind: "closing", label: "formClosing" },
  { kind: "turnout", label: "formTurnout" },
  { kind: "incident", label: "formIncident" },
  { kind: "protocol", label: "formProtocol" },
];

export function kindOf(body: Body): Kind {
  if ("checklist" in body) return body.checklist.phase as Kind;
  if ("turnout" in body) return "turnout";
  if ("incident" in body) return "incident";
  return "protocol";
}

interface FormProps {
  kind: Kind;
  lang: Lang;
  forms: Forms;
  stationId: string;
  initial?: Body;
  onSubmit(body: Body, photos: string[]): void;
  onCancel(): void;
}

// Report fields (snake_case, as ingest takes them) and the string keys naming them on the form.
const FIELDS: Record<string, Key> = {
  ballots_issued: "ballotsIssued", home_voting_applications: "homeVotingApplications", registered_voters: "registeredVoters",
  ballots_received: "ballotsReceived", ballots_cast: "ballotsCast", valid_ballots: "validBallots", invalid_ballots: "invalidBallots",
  home_ballots_issued: "homeBallotsIssued",
};
const field = (kind: Kind, name: string): string =>
  kind === "protocol" && name === "ballots_issued" ? "protocolBallotsIssued" : (FIELDS[name] ?? name);
const int = (s: string): number => (s.trim() === "" ? NaN : Number(s));

function NumberField(props: { id: string; label: string; value: string; required: boolean; onInput(v: string): void }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input id={props.id} name={props.id} type="number" inputMode="numeric" pattern="[0-9]*" min={0} required={props.required} value={props.value}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
    </label>
  );
}

export function ReportForm(p: FormProps) {
  const { lang, forms, initial } = p;
  const t = (k: Key) => say(lang, k);
  const phase = p.kind === "readiness" || p.kind === "opening" || p.kind === "closing" ? p.kind : null;
  const init = initial as Partial<{ checklist: { answers: Record<string, boolean>; note?: string }; turnout: Record<string, number>;
    incident: { violation: string; description: string; evidence_ids?: string[] }; protocol: Protocol }> | undefined;
  const [answers, setAnswers] = useState<Record<string, boolean>>(init?.checklist?.answers ?? {});
  const [note, setNote] = useState(init?.checklist?.note ?? "");
  const [numbers, setNumbers] = useState<Record<string, string>>(() => {
    const source = (init?.turnout ?? init?.protocol ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(source).filter(([, v]) => typeof v === "number").map(([k, v]) => [field(p.kind, k), String(v)]));
  });
  const [violation, setViolation] = useState(init?.incident?.violation ?? forms.violations[0]?.id ?? "");
  const [description, setDescription] = useState(init?.incident?.description ?? "");
  const [votes, setVotes] = useState<[string, string][]>(() => {
    const given = Object.entries(init?.protocol?.votes ?? {}).map(([c, n]): [string, string] => [c, String(n)]);
    return given.length ? given : forms.contestants.map((c): [string, string] => [c.code, ""]);
  });
  const [copy, setCopy] = useState(init?.protocol?.copy_received ?? true);
  const [photos, setPhotos] = useState<string[]>(init?.incident?.evidence_ids ?? init?.protocol?.evidence_ids ?? []);
  const num = (name: Key, required = true) => <NumberField id={name} label={t(name)} required={required} value={numbers[name] ?? ""} onInput={(v) => setNumbers({ ...numbers, [name]: v })} />;
  const n = (name: string) => int(numbers[name] ?? "");

  const protocol = (): Protocol => {
    const p: Protocol = {
      registered_voters: n("registeredVoters"), ballots_received: n("ballotsReceived"), ballots_issued: n("protocolBallotsIssued"),
      ballots_cast: n("ballotsCast"), valid_ballots: n("validBallots"), invalid_ballots: n("invalidBallots"),
      votes: Object.fromEntries(votes.filter(([c, v]) => c.trim() && v.trim()).map(([c, v]) => [c.trim(), int(v)])), copy_received: copy,
    };
    if (!Number.isNaN(n("homeBallotsIssued"))) p.home_ballots_issued = n("homeBallotsIssued");
    if (photos.length) p.evidence_ids = photos;
    return p;
  };

  const submit = (e: Event) => {
    e.preventDefault();
    let body: Body;
    if (phase) body = { checklist: { phase, answers, ...(note.trim() ? { note: note.trim() } : {}) } };
    else if (p.kind === "turnout") body = { turnout: { ballots_issued: n("ballotsIssued"), home_voting_applications: n("homeVotingApplications") } };
    else if (p.kind === "incident") body = { incident: { violation, description: description.trim(), ...(photos.length ? { evidence_ids: photos } : {}) } };
    else body = { protocol: protocol() };
    p.onSubmit(body, photos);
  };

  const questions = forms.checklist.filter((q) => q.phase === phase);
  const complete = phase ? questions.every((q) => q.id in answers) : true;
  const warnings = p.kind === "protocol" ? protocolProblems(protocol()).filter((x) => Object.values(x.params).every((v) => !Number.isNaN(v))) : [];
  return (
    <form class="report-form" data-kind={p.kind} onSubmit={submit}>
      {phase && questions.map((q) => (
        <fieldset class="question" key={q.id} data-item={q.id}>
          <legend>{q.texts[lang]}</legend>
          {[true, false].map((value) => (
            <label class={`choice ${answers[q.id] === value ? "chosen" : ""}`}>
              <input type="radio" name={q.id} value={value ? "yes" : "no"} checked={answers[q.id] === value}
                onChange={() => setAnswers({ ...answers, [q.id]: value })} />
              {t(value ? "yes" : "no")}
            </label>
          ))}
          {q.critical && answers[q.id] === false && <p class="warning">{t("criticalNo")}</p>}
        </fieldset>
      ))}
      {phase && (
        <label class="field"><span>{t("note")}</span><textarea name="note" maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} /></label>
      )}
      {p.kind === "turnout" && <>{num("ballotsIssued")}{num("homeVotingApplications")}</>}
      {p.kind === "incident" && (
        <>
          <label class="field"><span>{t("violation")}</span>
            <select name="violation" value={violation} onChange={(e) => setViolation((e.target as HTMLSelectElement).value)}>
              {forms.violations.map((v) => <option value={v.id}>{v.texts[lang]}</option>)}
            </select>
          </label>
          <label class="field"><span>{t("description")}</span>
            <textarea name="description" required maxLength={4000} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
          </label>
        </>
      )}
      {p.kind === "protocol" && (
        <>
          {num("registeredVoters")}{num("ballotsReceived")}{num("protocolBallotsIssued")}{num("ballotsCast")}{num("validBallots")}{num("invalidBallots")}{num("homeBallotsIssued", false)}
          <fieldset class="votes"><legend>{t("votes")}</legend>
            {votes.map(([code, value], i) => (
              <div class="vote">
                <input aria-label={t("contestantCode")} name={`party-${i}`} value={forms.contestants.find((c) => c.code === code)?.name ?? code}
                  readOnly={forms.contestants.some((c) => c.code === code)}
                  onInput={(e) => setVotes(votes.map((v, j) => (j === i ? [(e.target as HTMLInputElement).value, v[1]] : v)))} />
                <input type="number" inputMode="numeric" pattern="[0-9]*" min={0} name={`votes-${i}`} value={value}
                  onInput={(e) => setVotes(votes.map((v, j) => (j === i ? [v[0], (e.target as HTMLInputElement).value] : v)))} />
              </div>
            ))}
            <button type="button" id="add-contestant" class="secondary" onClick={() => setVotes([...votes, ["", ""]])}>{t("addContestant")}</button>
          </fieldset>
          <label class="check"><input type="checkbox" name="copy_received" checked={copy} onChange={(e) => setCopy((e.target as HTMLInputElement).checked)} />{t("copyReceived")}</label>
          {warnings.length > 0 && (
            <div class="warning" data-testid="protocol-warnings"><p>{t("protocolWarning")}</p>
              <ul>{warnings.map((w) => <li data-check={w.name}>{fill(forms.protocol_checks[w.name]?.[lang] ?? w.name, w.params)}</li>)}</ul>
            </div>
          )}
        </>
      )}
      {(p.kind === "incident" || p.kind === "protocol") && (
        <Photos lang={lang} stationId={p.stationId} ids={photos} onChange={setPhotos} label={t(p.kind === "protocol" ? "protocolPhoto" : "photos")} />
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={p.onCancel}>{t("cancel")}</button>
        <button type="submit" id="send" disabled={!complete}>{t("send")}</button>
      </div>
    </form>
  );
}
