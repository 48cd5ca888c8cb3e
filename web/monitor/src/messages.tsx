/** The coordinators' messages to the monitor: the phone's copy at once, the server's when online. */
import { useEffect, useState } from "preact/hooks";
import { fetchMessages } from "./api";
import * as store from "./db";
import { say, type Lang } from "./strings";
import type { Message } from "./types";

const REFRESH_EVERY_MS = 60_000;

export function Messages(p: { token: string; lang: Lang; online: boolean }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  useEffect(() => {
    let live = true;
    // The server's answer may have come first: the phone's copy never replaces it.
    void store.getCached<Message[]>("messages").then((kept) => live && kept && setMessages((now) => now ?? kept));
    return () => { live = false; };
  }, []);
  useEffect(() => {
    if (!p.online) return;
    let live = true;
    const refresh = () => fetchMessages(p.token).then(async (fresh) => {
      if (!live) return;
      await store.setCached("messages", fresh);
      setMessages(fresh);
    }, () => undefined); // offline or refused: the phone's copy stays; the sign-in shows why
    void refresh();
    const timer = setInterval(refresh, REFRESH_EVERY_MS);
    return () => { live = false; clearInterval(timer); };
  }, [p.token, p.online]);
  if (messages === null) return null;
  return (
    <section class="messages" data-testid="messages">
      <h2>{say(p.lang, "messages")}</h2>
      {messages.length === 0 ? <p>{say(p.lang, "messagesNone")}</p> : (
        <ul class="outbox">
          {messages.map((m) => (
            <li class="message" data-testid="message" data-id={m.id}>
              <small>{new Date(m.sent_at).toLocaleString(p.lang)}</small>
              <p lang={m.language} data-i18n-data>{m.text}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
