"""The local runtime's timing is the deployed one, compressed: the same retries and the same schedule."""

from __future__ import annotations

from local.router import LAMBDA_RETRY_DELAYS, SCHEDULE_SECONDS


def test_the_local_router_retries_as_often_as_the_deployed_functions(synth):
    configs = [c["Properties"] for c in synth.resources("AWS::Lambda::EventInvokeConfig").values()]
    assert configs and {c["MaximumRetryAttempts"] for c in configs} == {len(LAMBDA_RETRY_DELAYS)}


def test_the_local_schedule_is_the_deployed_rate(synth):
    (schedule,) = [r["Properties"] for r in synth.resources("AWS::Events::Rule").values()
                   if "ScheduleExpression" in r["Properties"]]
    assert schedule["ScheduleExpression"] == f"rate({SCHEDULE_SECONDS / 60:.0f} minutes)"
