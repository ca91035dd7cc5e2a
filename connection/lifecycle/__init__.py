"""A person's own data, erasure and retention (docs/data-lifecycle.md).

`registry` is how an app declares the personal data it holds; `anonymise` is what
erasure leaves behind ("a former colleague") and the audit trail's one maintenance
exception; `services` runs export, erasure and retention over every entry;
`partitions` keeps the signal ledger's months on PostgreSQL, which retention drops
whole; `core` holds the core's own entries; `views` and `forms` are the pages.
"""

from connection.lifecycle.anonymise import (
    FORMER_EMAIL,
    FORMER_NAME,
    audit_maintenance,
    former_colleague,
    needles,
    replace_mentions,
)
from connection.lifecycle.registry import (
    NOT_PERSONAL,
    PersonalData,
    Retention,
    covered_relations,
    entries,
    keep_from_retention,
    register,
)
from connection.lifecycle.services import (
    PULSE_STATEMENT,
    CannotErase,
    apply_retention,
    erase_person,
    export_person,
    record_export,
)

__all__ = [
    "FORMER_EMAIL",
    "FORMER_NAME",
    "NOT_PERSONAL",
    "PULSE_STATEMENT",
    "CannotErase",
    "PersonalData",
    "Retention",
    "apply_retention",
    "audit_maintenance",
    "covered_relations",
    "entries",
    "erase_person",
    "export_person",
    "former_colleague",
    "keep_from_retention",
    "needles",
    "record_export",
    "register",
    "replace_mentions",
]
