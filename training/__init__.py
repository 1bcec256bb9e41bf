"""Training: model configs, point-in-time training sets from Feast, (later) XGBoost jobs."""
