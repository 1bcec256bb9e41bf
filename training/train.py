"""The training job: `mfs train purchase-propensity` / `mfs train lead-scoring`.

One code path for every model, driven by its yaml (training/models/):
1. the training set through Feast (the model's feature service, as of each label's time);
2. the time split (training.split), checked for leaks on the rows themselves;
3. XGBoost `hist` with early stopping on the validation window, fixed seed;
4. on the test window: the model, the rule baseline, a logistic regression and, on generated
   data, the oracle; metrics overall and per segment; SHAP importance;
5. the model card (JSON, Markdown, HTML with plots) and the artifacts, registered as a new
   version; the promotion gate decides whether it becomes `production`.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from feast import FeatureStore

from mfs.featurestore.store import open_store
from training import card as model_card
from training.baselines import (
    BgNbdBaseline,
    RuleBaseline,
    logistic_baseline,
    logistic_frame,
)
from training.config import ModelConfig, ModelConfigError, as_config
from training.datasets import (
    AS_OF,
    check_labelled_rows,
    entity_share_for,
    feature_kinds,
    feature_names,
    join_key_of,
    label_horizon_days,
    training_set,
)
from training.evaluation import evaluation_dict, fingerprint, oracle_scores, shap_importance
from training.features import FeatureEncoder
from training.gate import GateDecision, decide
from training.metrics import by_segment, evaluate, paired_differences
from training.model import TrainedModel, booster_params
from training.reference import write_reference
from training.registry import Registry
from training.split import time_split

MODEL = "model"


@dataclass(frozen=True)
class TrainResult:
    model: str
    version: int
    folder: Path
    promoted: bool
    gate: GateDecision
    card: dict[str, Any]
    seconds: float  # the whole job: training set to registration


def _noop(_: str) -> None:
    pass


def train_model(model: str | ModelConfig, *, store: FeatureStore | None = None,
                registry: Registry | None = None, promote: bool = True,
                on_step: Callable[[str], None] = _noop) -> TrainResult:
    """Train, evaluate and register a new version of `model`; promote it if the gate passes
    (and `promote` is true)."""
    started = time.perf_counter()
    config = as_config(model)
    store = store or open_store()
    registry = registry or Registry()
    service = store.get_feature_service(config.feature_service)
    join_key = join_key_of(store, service)
    kinds = feature_kinds(store, service)
    unknown = [s for s in config.segments if s not in kinds]
    if unknown:
        raise ModelConfigError(f"training/models/{config.name}.yaml: segments {unknown} are not "
                               f"features of {config.feature_service}")

    check_labelled_rows(config, join_key)
    horizon = label_horizon_days(config)
    share = entity_share_for(config, join_key, config.max_label_rows)
    on_step("training set through Feast" + (f" ({share:.1%} of entities)" if share < 1 else ""))
    frame = training_set(config, with_label_window=True, entity_share=share, store=store)
    labels = frame[config.label.column].astype(bool).to_numpy()
    split = time_split(frame[AS_OF], frame[config.label.window_end_column], config.split)
    train, validation, test = split.train, split.validation, split.test

    on_step(f"XGBoost on {int(train.sum()):,} rows")
    encoder = FeatureEncoder.fit(frame[train], kinds)
    features = encoder.transform(frame)
    y = labels.astype(np.float32)
    trained = TrainedModel.fit(encoder, config.xgboost, (features[train], y[train]),
                               (features[validation], y[validation]))

    on_step("baselines and evaluation on the test window")
    test_frame = frame[test]
    scores = {MODEL: trained.predict_encoded(features[test])}
    rule = RuleBaseline(config.rule_baseline).fit(frame[train], labels[train])
    scores[f"rule_{config.rule_baseline}"] = rule.predict(test_frame)
    logistic = logistic_baseline(encoder, config.xgboost.seed)
    logistic.fit(logistic_frame(frame[train], encoder), labels[train])
    scores["logistic_regression"] = logistic.predict_proba(
        logistic_frame(test_frame, encoder))[:, 1]
    if config.btyd_baseline:
        scores["bg_nbd"] = BgNbdBaseline(horizon, AS_OF).predict(test_frame)
    oracle = oracle_scores(config, test_frame, join_key, horizon)
    if oracle is not None:
        scores["oracle"] = oracle[0]
    y_test = labels[test]
    evaluations = {name: evaluate(y_test, s) for name, s in scores.items()}
    baselines = [name for name in scores if name not in (MODEL, "oracle")]
    on_step("paired bootstrap of the model against each baseline")
    entities = test_frame[join_key].to_numpy()
    margins = {name: paired_differences(y_test, scores[MODEL], scores[name], entities)
               for name in baselines}

    production = registry.production(config.name)
    production_metric = None
    if production is not None:
        on_step(f"production v{production} on the same test rows")
        production_scores = _score_with_version(registry, config.name, production, test_frame,
                                                store, join_key)
        production_metric = getattr(evaluate(y_test, production_scores), config.gate.metric)
    metric = config.gate.metric
    gate = decide(getattr(evaluations[MODEL], metric),
                  {b: getattr(evaluations[b], metric) for b in baselines},
                  production_metric, config.gate, production,
                  {b: m[metric] for b, m in margins.items() if metric in m})

    on_step("model card")
    importance, shap_rows, shap_values = shap_importance(trained, features[test])
    card = {
        "model": config.name,
        "version": None,  # set below, once the registry has given it a number
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "description": config.description, "decision": config.decision,
        "intended_use": config.intended_use, "owner": config.owner,
        "feature_service": {"name": config.feature_service, "join_key": join_key,
                            "features": feature_names(service),
                            "views": [p.name for p in service.feature_view_projections]},
        "label": {**config.label.model_dump(), "horizon_days": horizon,
                  "name": f"{config.label.column} within {horizon} days"},
        "split": split.describe(),
        "data": {**fingerprint(frame, {"train": train, "validation": validation,
                                       "test": test}, config.label.column),
                 "entity_share": share},
        "xgboost": {"params": booster_params(config.xgboost),
                    "num_boost_round": config.xgboost.num_boost_round,
                    "early_stopping_rounds": config.xgboost.early_stopping_rounds,
                    "trees": trained.booster.num_boosted_rounds()},
        "baselines": baselines,
        # model minus each baseline on the test rows, 95% paired bootstrap by entity
        "versus_baselines": {b: {name: asdict(d) for name, d in m.items()}
                             for b, m in margins.items()},
        "test": {name: evaluation_dict(e) for name, e in evaluations.items()},
        "oracle_source": oracle[1] if oracle is not None else None,
        "segments": {column: _segment_summary(by_segment(y_test, scores[MODEL],
                                                         test_frame[column].to_numpy()))
                     for column in config.segments},
        "shap": importance,
        "gate": {**gate.as_dict(), "production_version": production,
                 "production_metric": production_metric},
        "limitations": config.limitations,
        "train_and_evaluate_seconds": round(time.perf_counter() - started, 2),
    }

    version = registry.next_version(config.name)
    card["version"] = version
    staged = registry.staging_dir(config.name)
    try:
        trained.save(staged)
        write_reference(staged, test_frame[encoder.names], scores[MODEL], test_frame[AS_OF])
        model_card.write(staged, card, scores, y_test, shap_rows, shap_values, encoder)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)  # never a half-written version
        raise
    version = registry.register(config.name, staged, _index_entry(card), expected=version)

    promoted = False
    if gate.promote and promote:
        registry.set_production(config.name, version, "; ".join(gate.reasons))
        promoted = True
    elif not gate.promote:
        registry.log(config.name, "gate-refused", version, "; ".join(gate.reasons))
    on_step(f"registered v{version}" + (" as production" if promoted else ""))
    return TrainResult(config.name, version, registry.version_dir(config.name, version),
                       promoted, gate, card, round(time.perf_counter() - started, 2))


def _index_entry(card: dict[str, Any]) -> dict[str, Any]:
    """What `mfs models list` shows without opening every card."""
    test = card["test"]
    return {"trained_at": card["trained_at"], "feature_service": card["feature_service"]["name"],
            "horizon_days": card["label"]["horizon_days"],
            "data_sha256": card["data"]["sha256"],
            "test_window": [card["split"]["test"]["first_as_of"],
                            card["split"]["test"]["last_as_of"]],
            "test_roc_auc": test[MODEL]["roc_auc"], "test_pr_auc": test[MODEL]["pr_auc"],
            "test_top_decile_lift": test[MODEL]["top_decile_lift"],
            "oracle_roc_auc": test["oracle"]["roc_auc"] if "oracle" in test else None,
            "gate": card["gate"]}


def _segment_summary(results: dict[str, Any]) -> dict[str, Any]:
    keep = ("rows", "positives", "roc_auc", "pr_auc", "brier", "ece", "top_decile_lift")
    return {value: (r if isinstance(r, str) else {k: getattr(r, k) for k in keep})
            for value, r in results.items()}


def _score_with_version(registry: Registry, model: str, version: int, rows: pd.DataFrame,
                        store: FeatureStore, join_key: str) -> np.ndarray:
    """Score rows with a registered version; fetch its features from Feast if its feature
    service differs from the candidate's (the same entities and as-of times either way)."""
    folder = registry.version_dir(model, version)
    previous = TrainedModel.load(folder)
    if set(previous.encoder.names) <= set(rows.columns):
        return previous.predict(rows)
    service_name = model_card.read(folder)["feature_service"]["name"]
    entity_rows = rows[[join_key, AS_OF]].reset_index(drop=True)
    fetched = store.get_historical_features(
        entity_df=entity_rows, features=store.get_feature_service(service_name)).to_df()
    fetched = entity_rows.merge(fetched, on=[join_key, AS_OF], how="left")
    return previous.predict(fetched)
