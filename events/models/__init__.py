from events.models.awards import AwardCriterion, AwardIndexPage, AwardPage, PastWinner
from events.models.editions import Edition, EditionQuerySet
from events.models.programme import Room, Session, SessionChange, SessionSpeaker, Speaker, SpeakerLink, Track
from events.models.programme_page import ProgrammePage

__all__ = [
    "AwardCriterion",
    "AwardIndexPage",
    "AwardPage",
    "Edition",
    "EditionQuerySet",
    "PastWinner",
    "ProgrammePage",
    "Room",
    "Session",
    "SessionChange",
    "SessionSpeaker",
    "Speaker",
    "SpeakerLink",
    "Track",
]
