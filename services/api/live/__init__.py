"""The live path: Kafka to every subscriber's socket, and what happens when a step cannot keep up.

```
 Kafka: station_stats, region_stats (compacted), alerts
   │
   ▼
 feed.KafkaFeed: one consumer a process, no group (feed_health: whether it is live)
   │ stats: each key's latest value of a fetch, published at once
   │ alerts: alert_pump.AlertPump, one at a time, a yield every 64, waiting while a
   │         subscriber that keeps up has a full queue
   ▼
 hub: StatsChannel (conflated per key), AlertChannel (a bounded queue per subscriber)
   │
   ├─ a stats subscriber whose reader is idle: its sink (stream sets one if the socket allows)
   │    key check fresh, selection compiled, socket writable now?
   │      ├─ yes: frames.FrameCache ─► NowaitSend.write ─► socket ............... path="publish"
   │      └─ no: declined, nothing written ─────────────────────────────┐
   ▼ otherwise                                                          │
 its queue: stats the latest value per key, alerts every transition ◄───┘
   │
   ▼
 stream.stream, in the subscription's task: sub.get ─► key re-check ─► the resolver's event
   │    (an alert queue that overflowed: an `error` message, SUBSCRIBER_OVERFLOW; it ends)
   ├─ frames.DirectSender.send: FrameCache ─► await send_text ─► socket .......... path="direct"
   │    not compiled, FallbackError, a value orjson refuses, another transport:
   ▼
 yield ─► graphql-core ─► strawberry's handler ─► socket ........................ path="graphql"
     (SharingExecutor: the compiled render, or one execution shared by the subscribers with
     the same selection, role and scope)
```

Every subscriber's messages are numbered by the hub (`seq`, no gaps) whichever path carries
them; `pollwatch_api_live_messages_total{path}` counts each path. The subscription's task only
wakes for what the publish path declined, so a slow socket never delays the others.

Ends: a feed that is not live refuses a new subscription with an `error` message (UNAVAILABLE);
an alert subscriber that overflowed gets an `error` message (SUBSCRIBER_OVERFLOW) after the
transitions it had; a revoked key ends the stream on its next message (UNAUTHENTICATED); the
hub's shutdown completes every stream.

One channel is not fed by Kafka: `reviewUpdated`'s (`services/api/review_live.py`), from a
PostgreSQL LISTEN; its subscriptions are conflated ones and run the same `stream` from there on.

Modules: `feed` (the consumer), `feed_health`, `alert_pump`, `hub` (channels, conflation,
bounded queues, sinks), `stream` (the one loop every subscription resolver runs), `frames`
(preformatted frames, the frame cache, the direct sender, `error` endings), `render` (a
selection compiled into closures), `transport` (strawberry's graphql-transport-ws handler,
telling each operation's task its socket). Driving uvicorn's send without awaiting
(`NowaitSend`) and spreading keep-alive pings are library patches kept outside this package.
"""
