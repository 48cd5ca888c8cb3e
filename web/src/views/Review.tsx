import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, gql } from "../api/graphql";
import { CLAIM_REVIEW_ITEM, RECORD_CALL_BACK, REVIEW_LIVE, REVIEW_QUEUE, VERIFY } from "../api/queries";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { useNow } from "../state/hooks";
import { ago } from "../format";
import { t } from "../strings";
import { catalogText, ruleName } from "../strings/catalog";
import type { StringKey } from "../strings/en";
import {
  afterDecision,
  applyUpdate,
  itemKey,
  move,
  OUTCOMES,
  shortcut,
  type CallBackOutcome,
  type ReviewItem,
  type VerificationState,
} from "../review/queue";

const SHOWN: VerificationState[] = ["UNVERIFIED", "QUARANTINED"];
const PAGE = 100;
export const OUTCOME_KEY: Record<CallBackOutcome, StringKey> = {
  CONFIRMED: "outcomeConfirmed",
  CORRECTED: "outcomeCorrected",
  RETRACTED: "outcomeRetracted",
  NO_ANSWER: "outcomeNoAnswer",
  UNREACHABLE: "outcomeUnreachable",
};

const REPORT_KIND: Record<string, StringKey> = {
  incident: "reportKindIncident",
  turnout: "reportKindTurnout",
  protocol: "reportKindProtocol",
  checklist: "reportKindChecklist",
};

/** The coordinators' review queue: claim, call the monitor back, record the outcome, decide. */
export function ReviewView({ ctl }: { ctl: Controller }) {
  const now = useNow(5000);
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [selected, setSelected] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [outcomes, setOutcomes] = useState<Record<string, CallBackOutcome>>({});

  const load = async () => {
    try {
      const { data } = await gql<{ reviewQueue: ReviewItem[] }>(ctl.key, REVIEW_QUEUE, { states: SHOWN, first: PAGE });
      setItems(data.reviewQueue);
      setSelected((s) => move(s, data.reviewQueue.length, 0));
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  // Live updates read the latest list and selection, not the ones of the render that subscribed.
  const latest = useRef({ items, selected });
  latest.current = { items, selected };
  useEffect(() => {
    const stop = ctl.live.subscribe<{ item: ReviewItem }>({
      query: REVIEW_LIVE,
      select: (d) => d.reviewUpdated as { seq: number; item: ReviewItem },
      onValue: ({ item }) => {
        const { items: list, selected: at } = latest.current;
        if (list === null) return; // the queue being read is at least as new
        const next = applyUpdate(list, item, SHOWN, at);
        latest.current = next;
        setItems(next.items);
        setSelected(next.selected);
      },
      resync: () => void load(),
    });
    void load();
    return stop;
  }, [ctl]);

  const replace = (updated: ReviewItem) => setItems((list) => (list ?? []).map((i) => (itemKey(i) === itemKey(updated) ? updated : i)));
  const run = async (work: () => Promise<void>) => {
    setFailure(null);
    try {
      await work();
    } catch (e) {
      // Another coordinator's claim (CONFLICT) or a decision made meanwhile: the queue is re-read.
      setFailure(e instanceof ApiError ? e.message : String(e));
      void load();
    }
  };
  const claim = (item: ReviewItem) =>
    run(async () => {
      const { data } = await gql<{ claimReviewItem: ReviewItem }>(ctl.key, CLAIM_REVIEW_ITEM, { kind: item.kind, id: item.id });
      replace(data.claimReviewItem);
    });
  const decide = (item: ReviewItem, state: VerificationState) =>
    run(async () => {
      const note = notes[itemKey(item)] ?? "";
      const { data } = await gql<{ verify: ReviewItem }>(ctl.key, VERIFY, { kind: item.kind, id: item.id, state, note });
      const next = afterDecision(items ?? [], data.verify, SHOWN, selected);
      setItems(next.items);
      setSelected(next.selected);
    });
  const callBack = (item: ReviewItem) =>
    run(async () => {
      const outcome = outcomes[itemKey(item)] ?? "CONFIRMED";
      const note = notes[itemKey(item)] ?? "";
      const { data } = await gql<{ recordCallBack: ReviewItem }>(ctl.key, RECORD_CALL_BACK, { kind: item.kind, id: item.id, outcome, note });
      replace(data.recordCallBack);
    });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
      const action = shortcut(e);
      if (!action || !items) return;
      const item = items[selected];
      e.preventDefault();
      if (action.type === "move") setSelected(move(selected, items.length, action.by));
      else if (action.type === "refresh") void load();
      else if (item && action.type === "claim") void claim(item);
      else if (item && action.type === "decide") void decide(item, action.state);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [items, selected, notes]);

  return (
    <section class="card" aria-labelledby="review-title" data-testid="review-queue">
      <div class="toolbar">
        <h1 id="review-title">{t("reviewTitle")}</h1>
        <span class="muted small">{t("reviewOpenStates")}</span>
      </div>
      <p class="muted small">{t("reviewHelp")}</p>
      <p class="muted small" data-testid="review-live">{t("reviewLive")}</p>
      {failure && (
        <p class="bad-text" role="alert">
          {t("reviewFailed", { msg: failure })}
        </p>
      )}
      {items === null ? (
        <p class="muted">{t("loading")}</p>
      ) : items.length === 0 ? (
        <p class="muted">{t("reviewEmpty")}</p>
      ) : (
        <ul class="review-list">
          {items.map((item, index) => {
            const key = itemKey(item);
            const what = item.kind === "ALERT" ? ruleName(item.type) : REPORT_KIND[item.type] ? t(REPORT_KIND[item.type]) : item.type;
            return (
              <li key={key} class={index === selected ? "review-item selected" : "review-item"} aria-current={index === selected ? "true" : undefined} data-testid="review-item" data-item={key} data-region={item.regionId} onClick={() => setSelected(index)}>
                <div class="review-head">
                  <span class="pill">{t(item.kind === "ALERT" ? "reviewKindAlert" : "reviewKindReport")}</span>
                  {item.priority === 0 && <span class="pill sev-critical">{t("reviewGrave")}</span>}
                  <strong>{what}</strong>
                  <a href={href("station", item.stationId)}>{t("reviewStation", { id: item.stationId })}</a>
                  <span class="muted small">{ago(item.at, now)}</span>
                  <span class="muted small">{catalogText("verification", item.state.toLowerCase())}</span>
                </div>
                <p class="small muted">
                  {item.claimedBy ? <span data-testid="review-claimed">{t("reviewClaimedBy", { who: item.claimedBy })}</span> : ""}{" "}
                  {item.callBack ? t("reviewCallBackBy", { outcome: t(OUTCOME_KEY[item.callBack]), who: item.callBackBy ?? "" }) : t("reviewCallBackNone")}
                  {item.decidedBy ? ` · ${t("reviewDecidedBy", { who: item.decidedBy })}` : ""}
                </p>
                <div class="review-actions">
                  <button type="button" onClick={() => void claim(item)}>{t("reviewClaim")}</button>
                  <label>
                    {t("reviewCallBack")}{" "}
                    <select
                      value={outcomes[key] ?? item.callBack ?? "CONFIRMED"}
                      onChange={(e) => setOutcomes({ ...outcomes, [key]: (e.target as HTMLSelectElement).value as CallBackOutcome })}
                    >
                      {OUTCOMES.map((o) => (
                        <option key={o} value={o}>{t(OUTCOME_KEY[o])}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t("reviewNote")}{" "}
                    <input type="text" maxLength={2000} value={notes[key] ?? ""} onInput={(e) => setNotes({ ...notes, [key]: (e.target as HTMLInputElement).value })} />
                  </label>
                  <button type="button" onClick={() => void callBack(item)}>{t("reviewCallBackSave")}</button>
                  <button type="button" class="ok" onClick={() => void decide(item, "VERIFIED")}>{t("reviewVerify")}</button>
                  <button type="button" class="bad" onClick={() => void decide(item, "REJECTED")}>{t("reviewReject")}</button>
                  <button type="button" onClick={() => void decide(item, "QUARANTINED")}>{t("reviewQuarantine")}</button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

