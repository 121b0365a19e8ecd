"""Which fields of which events are personal data, and whose data they are.

Pure data, no aggregate: the topics of stored events (``domain.<module>:<Class>``) do not
change by living here. ``storage/sealing.py`` seals exactly these fields with the person's
own key; anything not listed is stored in clear.

Every text field of every event is classified, one way or the other: personal
(``PERSONAL_FIELDS``) or declared not personal (``NOT_PERSONAL``, with the reason), and
``tests/unit/test_personal_fields.py`` fails for a field in neither — so a new event's
free text cannot be stored in clear by being forgotten.
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
    "StaffMember.DisciplineRecorded": ("form", "reference"),
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
    # Work outputs (domain/work_item.py, Decree 335/2025): the person's report and what the
    # leader wrote about it; titles come from the catalogue and are not personal.
    "WorkItem.Reassigned": ("reasons",),
    "WorkItem.Cancelled": ("reasons",),
    "WorkItem.ReportedDone": ("evidence",),
    "WorkItem.Confirmed": ("waiver_reasons", "comment"),
    "Commendation.Proposed": ("reasons",),
    "Commendation.Approved": ("reasons",),
    "Commendation.Returned": ("reasons",),
}
# Aggregates whose person is named in their first event, under this field.
OWNER_FIELD: dict[str, str] = {"Evaluation.Started": "staff_id", "Appeal.Filed": "staff_id",
                               "WorkItem.Assigned": "staff_id",
                               # a collective nominee's key is its unit's: nothing personal
                               "Commendation.Proposed": "staff_id"}
OWN_SUBJECT = ("StaffMember",)  # aggregates that *are* the person

# Text fields that are not personal data, and why. ``actor`` and ``capacity`` (who acted, in
# which role) are on every event: the log must say who did what, also after an erasure.
WHO_ACTED = ("actor", "capacity")
NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    # Codes and references to other records (ids, levels, policy versions, tenants).
    "Appeal.Filed": ("decided_by", "decided_level", "level_claimed"),
    "Appeal.Assigned": ("reviewer", "reviewer_tenant"),
    "Appeal.Decided": ("outcome", "level"),
    "Evaluation.Started": ("subject", "kind"),
    # (its ``tasks[].title`` is the task as the unit assigned it; the evidence is personal)
    "Evaluation.SelfAssessmentSubmitted": ("level", "criteria"),
    "Evaluation.OpinionAttached": ("source",),
    "Evaluation.Proposed": ("level",),
    "Evaluation.RatingDecided": ("level", "policy_version", "authority"),
    "Evaluation.OutcomeImported": ("from_tenant", "self_level", "level", "policy_version"),
    "Evaluation.RatingAmended": ("level", "policy_version", "previous_level"),
    "EvaluationPeriod.Opened": ("kind", "policy", "peer_groups"),
    "EvaluationPeriod.DecisionsImported": ("decisions", "from_tenant"),
    "EvaluationPeriod.DecisionRegistered": ("level",),
    "EvaluationPeriod.DecisionAmended": ("level", "previous_level"),
    "EvaluationPeriod.Published": ("decided",),
    "StaffMember.Transferred": ("from_tenant",),
    "StaffMember.LeftTenant": ("to_tenant",),
    "StaffMember.PriorResultsImported": ("from_tenant", "results"),  # levels and scores
    # The post a person holds, not the person: the unit's structure (job title, the group
    # of like tasks, the Party cell — an organisation shared by many).
    "StaffMember.Registered": ("staff_type", "position", "peer_group", "party_cell"),
    "StaffMember.ProfileUpdated": ("staff_type", "position", "peer_group", "party_cell"),
    # About units, periods, collectives and the tenant: no person's data.
    "Unit.Registered": ("name", "kind"),
    "Unit.OutstandingFlagged": ("reasons",),
    "CollectiveRound.Opened": ("order", "units", "policy"),
    "CollectiveRound.CollectiveRated": ("unit_id", "level", "reasons", "policy_version",
                                        "authority"),
    "EvaluationPeriod.QuotaExceptionGranted": ("level", "scope", "reasons", "authority"),
    "TenantPolicy.Adopted": ("cycle", "preset", "policy", "reasons"),
    "TenantPolicy.Adjusted": ("cycle", "preset", "policy", "reasons"),
    "TenantRecord.MergedInto": ("successor", "reasons"),
    "TenantRecord.PredecessorAbsorbed": ("predecessor",),
    # The platform's own log (not a tenant's; never sealed with a person's key): accounts,
    # grants, reads, checkpoints, placements. An account's display name is the operator's
    # record of who may sign in, kept in clear there.
    "UserAccount.Registered": ("user_id", "name"),
    "UserAccount.RoleGranted": ("tenant", "role"),
    "UserAccount.GrantRevoked": ("reason",),
    "AccessRecord.Recorded": ("user_id", "tenant", "operation", "target"),
    "PersonalDataErasure.Erased": ("tenant", "basis"),
    "TenantChain.Tracked": ("tenant",),
    "TenantChain.CheckpointPublished": ("tenant", "head"),
    "TenantChain.CheckpointSigned": ("tenant", "head", "signed_at", "public_key", "signature"),
    "TenantPlacement.Placed": ("tenant", "database"),
    "TenantPlacement.MoveStarted": ("tenant", "source", "target"),
    "TenantPlacement.Moved": ("tenant", "source", "database", "head"),
    "TenantPlacement.MoveAborted": ("tenant", "target", "reason"),
    # Decree 335 work: what was assigned and judged is the decision record (titles, catalogue
    # keys and versions, outcomes, who acted); a catalogue is the organisation's, not a
    # person's, and so are the reasons for changing it.
    "Evaluation.WorkScoreComputed": ("catalogue_versions", "decided_level", "earned_level",
                                     "policy_version"),
    "WorkCatalogue.Established": ("adjustment", "catalogue", "province_tenant", "reasons",
                                  "source"),
    "WorkCatalogue.Adjusted": ("adjustment", "catalogue", "dropped", "reasons"),
    "WorkCatalogue.Revised": ("catalogue", "reasons"),
    "WorkItem.Assigned": ("assigned_by", "catalogue_key", "catalogue_version", "kind", "title"),
    "WorkItem.Confirmed": ("confirmed_by", "quality", "timeliness"),
    "WorkItem.CarriedOver": ("from_tenant", "status", "confirmed_by", "quality", "timeliness"),
    "WorkLedger.Opened": ("kind",),
    # A commendation proposal's rule, the periods that meet it and who proposed: the
    # decision record (its reasons are sealed above).
    "Commendation.Proposed": ("basis", "evidence", "nominee_kind", "proposed_by",
                              "policy_version"),
}
