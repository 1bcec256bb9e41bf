"""Marketing feature store: raw marketing data -> dbt features -> Feast -> XGBoost scores."""

__version__ = "0.1.0"
