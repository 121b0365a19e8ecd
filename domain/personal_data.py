"""Which fields of which events are personal data, and whose data they are.

Pure data, no aggregate: the topics of stored events (``domain.<module>:<Class>``) do not
change by living here. ``storage/sealing.py`` seals exactly these fields with the person's
own key; anything not listed is stored in clear.
"""

from __future__ import annotations

# "Aggregate.Event" → personal fields ("list[].field" reaches into a list of objects).
# Whose data it is: a StaffMember's events are about that person; an Evaluation's and an
# Appeal's are about the person named by their first event (``staff_id``).
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "StaffMember.Registered": ("full_name",),
    "StaffMember.AbsenceRecorded": ("reason",),
    "StaffMember.Transferred": ("reasons",),
    "StaffMember.LeftTenant": ("reasons",),
    "Evaluation.SelfAssessmentSubmitted": ("note", "tasks[].evidence"),
    "Evaluation.OpinionAttached": ("text",),
    "Evaluation.Proposed": ("strengths", "shortcomings"),
    "Evaluation.RatingDecided": ("reasons",),
    "Evaluation.RatingAmended": ("reasons",),
    "Evaluation.OutcomeImported": ("reasons",),
    "Appeal.Filed": ("grounds", "evidence"),
    "Appeal.Escalated": ("grounds",),
    "Appeal.MoreInformationRequested": ("question",),
    "Appeal.MoreInformationProvided": ("information",),
    "Appeal.Withdrawn": ("reason",),
    "Appeal.Decided": ("reasons",),
    "Commendation.Proposed": ("reasons",),
    "Commendation.Approved": ("reasons",),
    "Commendation.Returned": ("reasons",),
}
# Aggregates whose person is named in their first event, under this field.
OWNER_FIELD: dict[str, str] = {"Evaluation.Started": "staff_id", "Appeal.Filed": "staff_id",
                               # a collective nominee's key is its unit's: nothing personal
                               "Commendation.Proposed": "staff_id"}
OWN_SUBJECT = ("StaffMember",)  # aggregates that *are* the person
