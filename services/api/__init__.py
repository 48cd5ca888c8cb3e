"""API: GraphQL queries and live subscriptions over what the aggregator writes."""
