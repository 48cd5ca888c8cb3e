"""All the API's SQL, parametrised only: one module per table family."""

from services.api.repository.sql import Where

__all__ = ["Where"]
