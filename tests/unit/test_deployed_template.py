"""Intrinsic functions as the deployed-shape harness resolves them (local/deployed/template.py), and its mounts."""

from __future__ import annotations

import os

import pytest

from local.deployed.sandbox import mount
from local.deployed.template import Resolver, Template, TemplateError

TEMPLATE = Template({
    "Parameters": {"Stage": {"Type": "String", "Default": "v1"}},
    "Conditions": {"IsUsEast": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
                   "Not": {"Fn::Not": [{"Condition": "IsUsEast"}]}},
    "Resources": {"Table": {"Type": "AWS::DynamoDB::Table"}, "Bucket": {"Type": "AWS::S3::Bucket"}},
}, "Stack")
PHYSICAL = {"Table": "Stack-Table-ABC", "Bucket": "stack-bucket-abc"}
ATTRIBUTES = {("Table", "Arn"): "arn:aws:dynamodb:us-east-1:1:table/Stack-Table-ABC",
              ("Bucket", "Arn"): "arn:aws:s3:::stack-bucket-abc"}


@pytest.fixture
def resolve():
    return Resolver(TEMPLATE, {"AWS::Region": "us-east-1", "AWS::AccountId": "1", "AWS::Partition": "aws"},
                    PHYSICAL.__getitem__, lambda logical, name: ATTRIBUTES[(logical, name)])


@pytest.mark.parametrize("value, expected", [
    ({"Ref": "Table"}, "Stack-Table-ABC"),
    ({"Ref": "Stage"}, "v1"),
    ({"Fn::GetAtt": ["Table", "Arn"]}, ATTRIBUTES[("Table", "Arn")]),
    ({"Fn::GetAtt": "Bucket.Arn"}, "arn:aws:s3:::stack-bucket-abc"),
    ({"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/byUser"]]},
     "arn:aws:dynamodb:us-east-1:1:table/Stack-Table-ABC/index/byUser"),
    ({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}, "arn:aws:s3:::stack-bucket-abc/*"),
    ({"Fn::Sub": "${Table.Arn} ${!Literal}"}, "arn:aws:dynamodb:us-east-1:1:table/Stack-Table-ABC ${Literal}"),
    ({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Bucket"}}]}, "stack-bucket-abc-x"),
    ({"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}, "b"),
    ({"Fn::If": ["IsUsEast", "yes", "no"]}, "yes"),
    ({"Fn::If": ["Not", "yes", "no"]}, "no"),
    ({"Variables": {"A": {"Ref": "AWS::NoValue"}, "B": "b"}}, {"Variables": {"B": "b"}}),
    ([{"Ref": "AWS::NoValue"}, 1], [1]),
])
def test_intrinsics(resolve, value, expected):
    assert resolve(value) == expected


@pytest.mark.parametrize("value, message", [
    ({"Ref": "Nothing"}, "Ref to unknown Nothing"),
    ({"Fn::GetAZs": ""}, "Fn::GetAZs is not supported"),
    ({"Fn::Join": ["", [{"Fn::Split": [",", "a,b"]}]]}, "expected a string"),
])
def test_what_cannot_be_evaluated_says_where(resolve, value, message):
    with pytest.raises(TemplateError, match=message):
        resolve({"Environment": value}, "Resources.F.Properties")


def test_layers_mount_in_order_later_wins_and_a_left_out_file_is_nowhere(tmp_path):
    first, second = tmp_path / "layer1", tmp_path / "layer2"
    for root, text in ((first, "one"), (second, "two")):
        (root / "python" / "pkg").mkdir(parents=True)
        (root / "python" / "pkg" / "shared.py").write_text(text)
    (first / "python" / "pkg" / "only_first.py").write_text("1")
    (second / "python" / "other").mkdir()
    (second / "python" / "other" / "data.bin").write_text("d")

    opt, replaced = mount(tmp_path / "mounts", [first, second], frozenset({"python/other/data.bin"}))

    assert replaced == ["python/pkg/shared.py"]
    assert (opt / "python" / "pkg" / "shared.py").read_text() == "two"
    assert (opt / "python" / "pkg" / "only_first.py").read_text() == "1"
    assert not (opt / "python" / "other" / "data.bin").exists()
    for path in opt.rglob("*"):  # real folders and hard links: resolving a path never leaves the mount
        assert not path.is_symlink() and str(path.resolve()).startswith(str(opt))
    again, _ = mount(tmp_path / "mounts", [first, second], frozenset({"python/other/data.bin"}))
    assert again == opt and os.path.samefile(opt / "python" / "pkg" / "shared.py", second / "python" / "pkg" / "shared.py")
