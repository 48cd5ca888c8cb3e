"""One strawberry module per GraphQL type."""
