"""Events built straight from a result model must carry every field of it."""

from ai_content.logic import ContentResult
from vibecoder.events.models import AiAnalysisCompleted


def test_ai_analysis_completed_carries_every_content_result_field_but_the_content():
    # The content and the subjects offered instead of it travel in carousel.content.analyzed only.
    assert set(ContentResult.model_fields) - {"content", "covered_subjects"} <= set(AiAnalysisCompleted.model_fields)
