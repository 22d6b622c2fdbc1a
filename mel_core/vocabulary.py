"""The controlled vocabularies of the import formats and the store (DESIGN.md).

These keys are part of the contract: workbooks and lesson files use them, and the database enforces them with
CHECK constraints. Their Vietnamese and English labels live in ``kb/taxonomy.yml``; a test keeps the two in step.
"""

from __future__ import annotations

PROGRAMME_KINDS = ("programme", "project", "model")
FUNDING = ("state_budget", "ngo", "oda", "mixed", "private")
MODEL_CHOSEN_BY = ("households", "community_meeting", "implementer", "plan")
SECTORS = (
    "crops",
    "livestock",
    "forestry",
    "aquaculture",
    "non_farm",
    "vocational_training",
    "trade_promotion",
    "infrastructure",
    "governance",
    "planning",
    "social_protection",
    "other",
    # the sectors of a provincial socio-economic development plan (seed 004, figure 3.1 and Table 4.5)
    "general_economy",
    "rural_development",
    "transport",
    "tourism",
    "education",
    "health",
    "culture",
    "information",
    "gender",
    "children",
    "natural_resources",
    "environment",
    "climate_change",
    "inspection",
    "civil_service",
    "security",
    "defence",
)
INDICATOR_LEVELS = ("input", "output", "outcome", "impact")
DIRECTIONS = ("increase", "decrease")
FREQUENCIES = ("monthly", "quarterly", "6-monthly", "annual", "5-year", "once")
EXPENDITURE_SOURCES = (
    "central_budget",
    "local_budget",
    "donor",
    "ngo",
    "community",
    "beneficiary",
    "credit",
)
ACTIVITY_TYPES = (
    "training",
    "workshop",
    "wholesale_fair",
    "retail_fair",
    "outbound_mission",
    "inbound_mission",
    "product_development",
    "communication",
    "policy_dialogue",
    "other",
)
ACTIVITY_STATUSES = ("planned", "done", "cancelled", "stopped")
#: Who takes part in an activity (seed 000, "nhập người tham gia"): an enterprise of the register, a provincial
#: official, a household.
PARTICIPANT_KINDS = ("enterprise", "official", "household")
#: The product sectors (ngành hàng) of the enterprise register and the programme reports by sector.
PRODUCT_SECTORS = (
    "coffee",
    "tea",
    "rice",
    "cashew",
    "pepper_spices",
    "fruit_vegetables",
    "seafood",
    "processed_food",
    "wood_furniture",
    "handicrafts",
    "textiles_garments",
    "footwear_leather",
    "other",
)
#: Enterprise size by Decree 80/2021/NĐ-CP (micro, small and medium enterprises; large ones beyond).
ENTERPRISE_SIZES = ("micro", "small", "medium", "large")
SURVEY_ROUNDS = ("baseline", "midline", "endline", "post")
SURVEY_GROUPS = ("treatment", "comparison")
ORGANISATION_KINDS = ("state", "ngo", "donor", "consultant", "enterprise", "other")
ADMIN_LEVELS = ("country", "province", "district", "commune")

CRITERIA = ("relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability")
RATED = (*CRITERIA, "overall")
EVALUATION_KINDS = ("mid_term", "final", "ex_post", "other")
EVALUATION_STATUSES = ("running", "succeeded", "failed", "interrupted")
CONFIDENCE = ("high", "medium", "low")
#: A management response to a recommendation (UNDP Evaluation Resource Centre).
MANAGEMENT_RESPONSES = ("accepted", "partially_accepted", "not_accepted")
#: Where a key action of a management response stands.
ACTION_STATUSES = ("not_started", "initiated", "completed", "no_longer_applicable")
#: Where a recommendation stands, computed from its response and key actions (mel_core.evaluations.responses).
RECOMMENDATION_STATES = ("awaiting", "not_accepted", "no_actions", "not_started", "initiated", "completed")

LESSON_THEMES = ("process", "empowerment", "building_on_existing", "leveraging_support")
LANGUAGES = ("vi", "en")
VISIBILITY = ("public", "internal")
#: A lesson's workflow (DESIGN.md, "Lesson states"): draft → submitted → published, or submitted → returned (with
#: the reviewer's comments) → submitted again, or rejected. Only published lessons are public.
LESSON_STATUSES = ("draft", "submitted", "returned", "rejected", "published")
#: What a reviewer does to a submitted lesson, and the state it leads to.
LESSON_DECISIONS = {"publish": "published", "return": "returned", "reject": "rejected"}
#: A workbook submission's workflow (DESIGN.md, "Workbook submissions"): uploaded (stored; its check found
#: problems, or has not run) → checked (no problem: waits for a reviewer) → approved (imported) or returned.
SUBMISSION_STATUSES = ("uploaded", "checked", "approved", "returned")
#: What a reviewer does to a checked submission, and the state it leads to.
SUBMISSION_DECISIONS = {"approve": "approved", "return": "returned"}
#: What a submission holds: one workbook, or one CSV file named after its table.
SUBMISSION_KINDS = ("xlsx", "csv")
#: What a file may be attached to (``mel attach``): the entity and the key that names one of them.
ATTACHMENT_ENTITIES = ("programme", "evaluation", "lesson")

#: Roles of the portal's users (DESIGN.md, "The portal"), from the least to the most trusted.
ROLES = ("reader", "contributor", "evaluator", "reviewer", "admin")

#: The national level: the admin unit of a value that is not broken down by place.
NATIONAL = "VN"
