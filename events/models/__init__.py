from events.models.awards import (
    AwardCriterion,
    AwardIndexPage,
    AwardPage,
    AwardPhase,
    JuryMember,
    NomineeImage,
    NomineePage,
    PastWinner,
)
from events.models.editions import Edition, EditionQuerySet
from events.models.nominations import JuryReview, JuryScore, Nomination, NominationAnswer, Vote
from events.models.programme import Room, Session, SessionChange, SessionSpeaker, Speaker, SpeakerLink, Track
from events.models.programme_page import ProgrammePage

__all__ = [
    "AwardCriterion",
    "AwardIndexPage",
    "AwardPage",
    "AwardPhase",
    "Edition",
    "EditionQuerySet",
    "JuryMember",
    "JuryReview",
    "JuryScore",
    "Nomination",
    "NominationAnswer",
    "NomineeImage",
    "NomineePage",
    "PastWinner",
    "ProgrammePage",
    "Room",
    "Session",
    "SessionChange",
    "SessionSpeaker",
    "Speaker",
    "SpeakerLink",
    "Track",
    "Vote",
]
