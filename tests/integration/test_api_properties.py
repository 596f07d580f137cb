"""Property-based: no body, path or header the API can receive produces a 5xx or an unhandled error."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import apigw
from local.runtime import LocalRuntime

FIELDS = ["topic", "sourceText", "slidesCount", "userId", "style", "language", "extra"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=7).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    with LocalRuntime(out_dir=tmp_path_factory.mktemp("out")) as local_runtime:
        yield local_runtime


def request(runtime, method, path, body=None):
    route, params = apigw.match(method, path)
    event = apigw.proxy_event(route, params, method, path, {"Content-Type": "application/json"},
                              body.encode("utf-8", "surrogatepass") if body is not None else None)
    status, _, data = apigw.response_parts(runtime.invoke(route.function, event))
    return status, json.loads(data)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_post_carousels_answers_202_or_a_clear_400(runtime, body):
    status, answer = request(runtime, "POST", "/carousels", body)

    assert status in (202, 400), (status, answer)
    if status == 400:
        assert answer["error"] and isinstance(answer["details"], list) and answer["details"]
    else:
        assert answer["status"] == "requested" and answer["requestId"]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request_id=st.text(alphabet=st.characters(blacklist_characters="/?#%", blacklist_categories=("Cs",)),
                          min_size=1, max_size=80))
def test_get_carousel_answers_200_or_404(runtime, request_id):
    status, answer = request(runtime, "GET", f"/carousels/{request_id}")
    assert status in (200, 404), (status, answer)
