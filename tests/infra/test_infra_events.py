"""The bus, its rules (one per catalog subscription), their targets, DLQs, the schedule, archive and schemas."""

from __future__ import annotations

import json

from cdk.functions import function_logical_id
from cdk.monitoring import ALERTS_DLQ, ALERTS_RULE
from vibecoder.events.catalog import CATALOG


def rules_on_the_bus(synth):
    """The catalog's rules: every rule on the bus but the one that forwards alerts to the topic."""
    bus_id = synth.logical_id(synth.stack.events.bus)
    return {props["Properties"]["Name"]: props["Properties"] for props in synth.resources("AWS::Events::Rule").values()
            if props["Properties"].get("EventBusName") == {"Ref": bus_id}
            and props["Properties"]["Name"] != ALERTS_RULE}


def test_every_catalog_subscription_has_its_rule_with_the_catalogs_pattern_and_target(synth):
    rules = rules_on_the_bus(synth)
    subscriptions = CATALOG.subscriptions()

    assert set(rules) == {sub.rule_name for sub in subscriptions}  # no rule missing, none extra
    for sub in subscriptions:
        rule = rules[sub.rule_name]
        assert rule["EventPattern"] == sub.event_pattern(), sub.rule_name
        assert rule["State"] == "ENABLED"
        (target,) = rule["Targets"]
        if sub.delay_seconds:  # through its delay queue, which the function reads as its event source
            queue = synth.logical_id(synth.stack.subscriptions.delay_queues[sub.rule_name])
            assert target["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}, sub.rule_name
            assert delay_queue_reader(synth, queue) == function_logical_id(sub.function), sub.rule_name
        else:
            assert target["Arn"] == {"Fn::GetAtt": [function_logical_id(sub.function), "Arn"]}, sub.rule_name


def delay_queue_reader(synth, queue_id: str) -> str:
    """The one function an SQS event source mapping feeds from ``queue_id`` (its logical id)."""
    (reader,) = [m["Properties"]["FunctionName"]["Ref"] for m in synth.resources("AWS::Lambda::EventSourceMapping")
                 .values() if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}]
    return reader


def test_a_long_paste_part_waits_in_a_delay_queue_read_by_the_gateway(synth):
    delayed = [sub for sub in CATALOG.subscriptions() if sub.delay_seconds]
    assert [(s.function, s.event_types, s.delay_seconds) for s in delayed] == [
        ("telegram-gateway", ("telegram.paste.part.received",), 3)]
    (sub,) = delayed
    queue_id = synth.logical_id(synth.stack.subscriptions.delay_queues[sub.rule_name])
    queue = synth.data["Resources"][queue_id]["Properties"]
    assert queue["DelaySeconds"] == 3
    assert queue["SqsManagedSseEnabled"] is True
    gateway_timeout = synth.data["Resources"][function_logical_id("telegram-gateway")]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= gateway_timeout  # Lambda refuses an event source that hides less
    dead_letters = synth.logical_id(synth.stack.dead_letters.queues["telegram-gateway"])
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
                                      "maxReceiveCount": 3}
    (mapping,) = [m["Properties"] for m in synth.resources("AWS::Lambda::EventSourceMapping").values()]
    assert mapping["FunctionName"] == {"Ref": function_logical_id("telegram-gateway")}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]  # BusConsumer's partial batch response


def test_the_audit_function_receives_every_vibecoder_event_by_source_prefix(synth):
    audit = [r for r in rules_on_the_bus(synth).values()
             if r["Targets"][0]["Arn"]["Fn::GetAtt"][0] == function_logical_id(CATALOG.audit_service)]
    assert [r["EventPattern"] for r in audit] == [{"source": [{"prefix": "vibecoder."}]}]


def test_every_target_has_a_retry_policy_and_a_dead_letter_queue_of_its_function(synth):
    queues = {synth.logical_id(q): name for name, q in synth.stack.dead_letters.queues.items()}
    functions = {function_logical_id(name): name for name in CATALOG.services}
    rules = synth.resources("AWS::Events::Rule")
    assert rules
    for rule_id, rule in rules.items():
        for target in rule["Properties"]["Targets"]:
            policy = target["RetryPolicy"]
            assert policy["MaximumRetryAttempts"] >= 1 and policy["MaximumEventAgeInSeconds"] >= 60, rule_id
            queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            if "Fn::GetAtt" not in target["Arn"]:  # the alert rule's topic
                assert queues[queue] == ALERTS_DLQ, rule_id
                continue
            arn = target["Arn"]["Fn::GetAtt"][0]
            function = functions[arn] if arn in functions else functions[delay_queue_reader(synth, arn)]
            assert queues[queue].startswith(function), (rule_id, queues[queue], function)


def test_alerts_reach_the_alarm_topic(synth):
    (rule,) = [r["Properties"] for r in synth.resources("AWS::Events::Rule").values()
               if r["Properties"].get("Name") == ALERTS_RULE]
    assert rule["EventPattern"] == {"detail-type": ["analytics.alert.triggered"], "source": ["vibecoder.analytics"]}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": synth.logical_id(synth.stack.monitoring.topic)}


def test_dead_letter_queues_accept_only_their_rules_and_are_encrypted(synth):
    for queue in synth.stack.dead_letters.queues.values():
        props = synth.data["Resources"][synth.logical_id(queue)]["Properties"]
        assert props["SqsManagedSseEnabled"] is True
        assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
    for policy in synth.resources("AWS::SQS::QueuePolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        allows = [s for s in statements if s["Effect"] == "Allow"]
        assert allows and all(s["Principal"] == {"Service": "events.amazonaws.com"} for s in allows)
        assert all("aws:SourceArn" in s["Condition"]["ArnEquals"] for s in allows)
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements)


def test_consumers_send_their_own_async_failures_to_their_dead_letter_queue(synth):
    for name, queue in synth.stack.dead_letters.queues.items():
        if name not in CATALOG.services:
            continue
        function = synth.data["Resources"][function_logical_id(name)]["Properties"]
        assert function["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": [synth.logical_id(queue), "Arn"]}
    configs = {c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
               for c in synth.resources("AWS::Lambda::EventInvokeConfig").values()}
    assert set(configs) == {function_logical_id(s.function) for s in CATALOG.subscriptions()}
    assert all(c["MaximumRetryAttempts"] == 2 for c in configs.values())


def test_a_rate_5_minutes_schedule_invokes_the_orchestrator_on_the_default_bus(synth):
    (schedule,) = [r["Properties"] for r in synth.resources("AWS::Events::Rule").values()
                   if "ScheduleExpression" in r["Properties"]]
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert "EventBusName" not in schedule
    (target,) = schedule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [function_logical_id("event-orchestrator"), "Arn"]}
    assert "DeadLetterConfig" in target and "RetryPolicy" in target


def test_the_bus_is_archived_for_replay(synth):
    (archive,) = synth.resources("AWS::Events::Archive").values()
    props = archive["Properties"]
    assert props["SourceArn"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.events.bus), "Arn"]}
    assert props["EventPattern"] == {"source": [{"prefix": "vibecoder."}]}
    assert props["RetentionDays"] >= 7
    assert "KmsKeyIdentifier" not in props  # CDK's "" (no key) is not a key: EventBridge's own key is the default


def test_the_schema_registry_holds_every_catalog_schema(synth):
    assert len(synth.resources("AWS::EventSchemas::Registry")) == 1
    schemas = {s["Properties"]["SchemaName"]: s["Properties"] for s in synth.resources("AWS::EventSchemas::Schema").values()}
    expected = CATALOG.json_schemas()
    assert set(schemas) == set(expected)
    for name, props in schemas.items():
        assert props["Type"] == "JSONSchemaDraft4"
        content = json.loads(props["Content"])
        assert content.pop("$schema") == "http://json-schema.org/draft-04/schema#"
        assert "$defs" not in props["Content"]  # draft 4 spells it "definitions"
        if "definitions" in content:
            content["$defs"] = content.pop("definitions")
        assert json.loads(json.dumps(content).replace('"#/definitions/', '"#/$defs/')) == expected[name]
