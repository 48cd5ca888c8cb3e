"""Who is told of alerts (subscriptions) and what reached them (the delivery log); the
messenger's notifier sends (services/messenger/notify, docs/notify.md)."""
