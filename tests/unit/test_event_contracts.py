"""Events built straight from a result model must carry every field of it."""

from ai_content.logic import ContentResult
from vibecoder.events.models import AiAnalysisCompleted


def test_ai_analysis_completed_carries_every_content_result_field_but_the_content():
    assert set(ContentResult.model_fields) - {"content"} <= set(AiAnalysisCompleted.model_fields)
