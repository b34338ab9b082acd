"""One definition per shape: the table, the migration, the API and the worker client agree with worker/wire.py."""

import json

from sqlalchemy import Engine, inspect

from backend.models import Epoch, LogLineRow, SystemSampleRow
from backend.schemas import EpochPublic, ProgressPublic, RunPublic
from backend.telemetry_schemas import LogLinePublic, TelemetryRequest
from backend.worker_schemas import ClaimPublic, EpochRequest, FinishRequest, ProgressRequest
from worker.wire import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    ClaimReply,
    EndReason,
    EpochMetrics,
    FinishReport,
    LogLine,
    Progress,
    RunStatus,
    SystemSample,
    Telemetry,
    to_json,
)

EPOCH_FIELDS = list(EpochMetrics.model_fields)


def test_epochs_table_has_one_column_per_wire_field(engine: Engine):
    migrated = [column["name"] for column in inspect(engine).get_columns("epochs")]
    assert migrated == ["id", "run_id", *EPOCH_FIELDS]
    assert [column.name for column in Epoch.__table__.columns] == migrated


def test_telemetry_tables_have_one_column_per_wire_field(engine: Engine):
    for table, wire in ((SystemSampleRow.__table__, SystemSample), (LogLineRow.__table__, LogLine)):
        migrated = [column["name"] for column in inspect(engine).get_columns(table.name)]
        assert migrated == ["id", "run_id", *wire.model_fields]
        assert [column.name for column in table.columns] == migrated
    assert issubclass(TelemetryRequest, Telemetry) and set(TelemetryRequest.model_fields) - set(Telemetry.model_fields) == {"worker"}
    assert issubclass(LogLinePublic, LogLine) and set(LogLinePublic.model_fields) - set(LogLine.model_fields) == {"id"}


def test_api_models_extend_the_wire_models_with_only_the_worker_name():
    assert list(EpochPublic.model_fields) == EPOCH_FIELDS
    assert list(ProgressPublic.model_fields) == list(Progress.model_fields)
    for request, wire in ((EpochRequest, EpochMetrics), (ProgressRequest, Progress), (FinishRequest, FinishReport)):
        assert issubclass(request, wire)
        assert set(request.model_fields) - set(wire.model_fields) == {"worker"}
    assert issubclass(ClaimPublic, ClaimReply)


def test_run_status_and_end_reason_are_the_enums():
    assert RunPublic.model_fields["status"].annotation is RunStatus
    assert RunPublic.model_fields["end_reason"].annotation == EndReason | None
    assert set(ACTIVE_STATUSES).isdisjoint(TERMINAL_STATUSES)
    assert set(RunStatus) - set(ACTIVE_STATUSES) - set(TERMINAL_STATUSES) == {RunStatus.QUEUED}


def test_non_finite_floats_travel_as_null():
    row = EpochMetrics(epoch=2, train_loss=float("nan"), val_loss=float("inf"), val_acc=0.5)
    sent = json.loads(to_json({"worker": "w1", **row.model_dump()}))
    assert sent == {"worker": "w1", "epoch": 2, "train_loss": None, "train_acc": None, "val_loss": None,
                    "val_acc": 0.5, "seconds": None, "samples_per_second": None}
    assert EpochRequest.model_validate(sent).val_acc == 0.5
