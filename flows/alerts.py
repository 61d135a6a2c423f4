"""Alerts the Prefect way: a webhook block and an automation on the Prefect server that
POSTs to it when a run of this flow fails or crashes. The server does the watching, so
alerts need no process of ours beyond the runs themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast
from uuid import UUID

from prefect.blocks.webhook import Webhook
from prefect.client.orchestration import get_client
from prefect.events.actions import CallWebhook
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from pydantic import SecretStr

from flows.etl import FLOW_NAME

ALERT_EVENTS = frozenset({"prefect.flow-run.Failed", "prefect.flow-run.Crashed"})
PAYLOAD = (
    '{"flow": "' + FLOW_NAME + '", "flow_run": {{ flow_run.name | tojson }}, '
    '"flow_run_id": {{ flow_run.id | string | tojson }}, '
    '"state": {{ flow_run.state.name | tojson }}, '
    '"message": {{ flow_run.state.message | tojson }}}'
)
"""The JSON body posted: the run, its state and the state's message (the error's line)."""


@dataclass(frozen=True, slots=True)
class AlertsInstalled:
    automation_id: UUID
    block_name: str
    replaced: int


def install_alerts(webhook_url: str, name: str) -> AlertsInstalled:
    """Save the webhook block ``name`` and the automation ``name``, replacing those of an
    earlier call, so that running it again changes the URL and leaves one of each."""
    webhook = Webhook(method="POST", url=SecretStr(webhook_url), allow_private_urls=True)
    block_id = cast(UUID, webhook.save(name, overwrite=True))
    trigger = EventTrigger(
        expect=set(ALERT_EVENTS),
        match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOW_NAME},
        posture=Posture.Reactive,
        threshold=1,
        within=timedelta(0),
    )
    automation = AutomationCore(
        name=name,
        description=f"POST to the {name!r} webhook block when a {FLOW_NAME} run fails or crashes",
        trigger=trigger,
        actions=[CallWebhook(block_document_id=block_id, payload=PAYLOAD)],
    )
    with get_client(sync_client=True) as client:
        earlier = client.read_automations_by_name(name)
        for old in earlier:
            client.delete_automation(old.id)
        automation_id = client.create_automation(automation)
    return AlertsInstalled(automation_id, name, len(earlier))
