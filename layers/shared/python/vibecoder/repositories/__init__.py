"""Data access: one small repository per table, DynamoDB through boto3 (moto locally), and one for the
slides bucket (S3)."""

from vibecoder.repositories.analytics import AnalyticsRepository
from vibecoder.repositories.carousels import CarouselRecord, CarouselRepository, PendingEdit, RecordedSlide, StagePatch
from vibecoder.repositories.deliveries import Claim, DeliveryLog, DeliveryRecord, DeliveryState
from vibecoder.repositories.events import EventStore
from vibecoder.repositories.slides import SlideRepository
from vibecoder.repositories.users import HistoryEntry, UserPreferences, UserRecord, UserRepository

__all__ = [
    "AnalyticsRepository",
    "CarouselRecord",
    "CarouselRepository",
    "Claim",
    "DeliveryLog",
    "DeliveryRecord",
    "DeliveryState",
    "EventStore",
    "HistoryEntry",
    "PendingEdit",
    "RecordedSlide",
    "StagePatch",
    "SlideRepository",
    "UserPreferences",
    "UserRecord",
    "UserRepository",
]
