"""The rule that names a model when ``names.yaml`` does not: words a person would use.

A model is named, in this order of preference, from

1. Altegio's own title where it names a model (``Object of model "Tag"``: ``Tag``;
   ``Salary balance object``: ``SalaryBalance``), else the component's key when it
   is made of plain words (``master_service_link``: ``TeamMemberServiceLink``);
2. the resource its operation returns or takes: the operationId without its verb
   (``get_service`` replies a ``Service``; ``list_clients`` items are ``Client``;
   the body of ``create_client`` is ``ClientCreate``);
3. the field it sits in, after its parent's name (``Appointment.staff``:
   ``AppointmentTeamMember``; ``Client.visits[]``: ``ClientVisit``).

Words go through ``CONCEPTS`` (one concept, one name: ``staff`` and ``master`` are
``TeamMember``, ``company`` and ``salon`` are ``Location``, ``record`` is
``Appointment``, ``good`` is ``Product``), lose the generator's and Altegio's filler
(``data``, ``types``, ``response``, ``200``...), and are singular where the model is
one item of a list.  A name is at most ``MAX_NAME`` characters; each candidate
comes with shorter fallbacks, and ``naming.py`` takes the first that is free.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_NAME = 30

# One concept, one word: Altegio's reference says "team member", "location",
# "appointment", "product" and "membership" where its keys keep the old words.
CONCEPTS = {
    "staff": ["team", "member"],
    "master": ["team", "member"],
    "masters": ["team", "members"],
    "company": ["location"],
    "companies": ["locations"],
    "salon": ["location"],
    "salons": ["locations"],
    "record": ["appointment"],
    "records": ["appointments"],
    "good": ["product"],
    "goods": ["products"],
    "abonement": ["membership"],
    "abonements": ["memberships"],
    "seance": ["slot"],
    "seances": ["slots"],
    "customer": ["client"],
    "customers": ["clients"],
    "certificate": ["gift", "card"],
    "certificates": ["gift", "cards"],
}
# Words that say nothing about what a model is: dropped from every name.
FILLER = {
    "data", "datas", "response", "responses", "request", "reply", "body",
    "object", "objects", "item", "items", "root", "model", "dto", "schema",
    "result", "results", "payload", "of", "for", "the", "a", "an", "with", "in", "by",
    "deprecated", "legacy", "option", "ressponse", "reaponse", "json", "id", "companyid",
    "salonid", "staffid", "recordid", "recordhash", "serviceid", "goodsid", "documentid",
    "visitid", "clientid", "userid", "groupid", "chainid", "info", "at", "via", "to", "on",
}  # fmt: skip
# Words a model name never ends with (the rule's output is checked against them).
BANNED_ENDINGS = ("Reply", "Response", "Attributes", "Data", "Body", "Item", "Items",
                  "Payload", "Object", "Schema", "Type0", "Type1", "Dto")  # fmt: skip
# Generic words that are no name on their own.
GENERIC = {"Meta", "Links", "Data", "Item", "Result", "Info", "Value", "Values", "Settings",
           "Options", "Params", "Details", "List", "Relationships", "Attributes", "Included",
           "Fields", "Document", "Resource", "Status", "Error", "Errors", "Type", "Kind",
           "Mode", "Name", "Entry", "Ref", "Object"}  # fmt: skip
# Verbs that start operationIds: the rest of the id is the resource.
VERBS = {
    "get", "list", "create", "update", "delete", "remove", "add", "search", "find", "set",
    "change", "edit", "send", "cancel", "restore", "apply", "generate", "import", "export",
    "upload", "download", "check", "validate", "calculate", "print", "attach", "detach",
    "mark", "book", "move", "copy", "bulk", "save", "put", "post", "patch", "fetch",
    "enable", "disable", "link", "unlink", "reset", "confirm", "issue", "refund", "close",
    "open", "make", "assign", "unassign", "withdraw", "top", "pay", "log", "authorize",
    "replace", "register", "activate", "deactivate", "archive", "unarchive", "merge",
    "leave", "duplicate", "handle", "reschedule", "freeze", "unfreeze",
}  # fmt: skip
# Trailing words of an operationId that are not the resource (``get_location_list``).
TRAILING = {"list", "details", "info", "data", "by", "id"}
TITLE_NAMES = re.compile(
    r"""(?:object of (?:the )?model|model object|the object of the model)\s*["“'](.+?)["”']""",
    re.IGNORECASE,
)
_IRREGULAR = {"people": "person", "children": "child", "staff": "staff", "news": "news",
              "status": "status", "series": "series", "analysis": "analysis",
              "settings": "settings", "goods": "goods", "access": "access",
              "analytics": "analytics", "statistics": "statistics"}  # fmt: skip


def words(text: str) -> list[str]:
    """Lower-case words of a key, title or camelCase name; digits-only words dropped."""
    spaced = re.sub(r"[`'\u2019]s\b", "", text)  # "Customer`s history": customer history
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", spaced)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w and not w.isdigit()]


def singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def concepts(parts: list[str]) -> list[str]:
    out: list[str] = []
    for word in parts:
        out.extend(CONCEPTS.get(word, [word]))
    return out


def clean(parts: list[str]) -> list[str]:
    """Concept words, without filler, without a word repeated next to itself."""
    out: list[str] = []
    for word in concepts([w for w in parts if w not in FILLER and not re.search(r"\d", w)]):
        if not out or out[-1] != word:
            out.append(word)
    return out


# Field names that only say "the content": a word that reads as what it holds.
FIELD_WORDS = {
    "data": ["entry"], "attributes": ["fields"], "relationships": ["relations"],
    "items": ["entry"], "item": ["entry"], "meta": ["meta"], "links": ["links"],
}  # fmt: skip


def field_words(name: str) -> list[str]:
    """Words of a field name: its concept (``staff``: team member) with fewer fillers
    dropped than from a key (``type`` is a field's name, not filler)."""
    raw = words(name)
    if len(raw) == 1 and raw[0] in FIELD_WORDS:
        return FIELD_WORDS[raw[0]]
    out: list[str] = []
    for word in concepts([w for w in raw if w not in FIELD_FILLER]):
        if not out or out[-1] != word:
            out.append(word)
    return out


FIELD_FILLER = {"data", "object", "objects", "item", "items", "json", "dto"}


def pascal(parts: list[str]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in parts)


def make_singular(parts: list[str]) -> list[str]:
    return [*parts[:-1], singular(parts[-1])] if parts else parts


def acceptable(name: str) -> bool:
    return (
        bool(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name))
        and len(name) <= MAX_NAME
        and not name.endswith(BANNED_ENDINGS)
        and name not in GENERIC
    )


def title_name(title: str | None) -> list[str]:
    """Words of an Altegio title that names a model; [] for "Root Type for ..." and
    for sentences."""
    if not title or title.lower().startswith("root type"):
        return []
    quoted = TITLE_NAMES.search(title)
    # "Pay with referral program - works only for visit": the part before the aside
    aside = r"\s[-\u2013\u2014:(]\s?"
    text = quoted.group(1) if quoted else re.split(aside, title, maxsplit=1)[0]
    head = words(text)
    for preposition in ("for", "of"):  # "Comment for a client": a client's comment
        if preposition in head[1:-1]:
            at = head.index(preposition)
            head = [*head[at + 1 :], *head[:at]]
            break
    parts = clean(head)
    return parts if quoted or 0 < len(parts) <= 4 else []


def component_name(name: str) -> list[str]:
    """Words of a component's key when the key is made of plain words (no filler,
    no path-like parts such as ``companyid`` or a status code)."""
    raw = words(name)
    if not raw or any(w in FILLER or re.search(r"\d", w) for w in raw) or len(raw) > 4:
        return []
    return clean(raw)


def resource(operation_id: str) -> tuple[str, list[str]]:
    """``(verb, resource words)`` of an operationId: ``list_clients``: ``("list", [client, s])``."""
    raw = words(operation_id)
    if raw and raw[0] == "deprecated":  # deprecated_get_service_list_by_id
        raw = raw[1:]
    verb = raw[0] if raw and raw[0] in VERBS else ""
    rest = raw[1:] if verb else raw
    if not verb and len(rest) > 1 and rest[-1] in VERBS:  # chain_loyalty_memberships_freeze
        verb, rest = rest[-1], rest[:-1]
    if len(rest) > 2 and rest[0] == "or" and rest[1] in VERBS:  # create_or_update_x
        rest = rest[2:]
    if "by" in rest[1:]:  # get_loyalty_card_list_by_client_id: the resource ends before "by"
        rest = rest[: rest.index("by", 1)]
    while len(rest) > 1 and rest[-1] in TRAILING:
        if rest[-1] == "list" and verb == "get":  # get_service_list lists services
            verb = "list"
        rest = rest[:-1]
    return verb, clean(rest)


def candidates(parts: list[str]) -> Iterator[str]:
    """The name of these words, or, when it is too long, the longest that fits with
    words dropped from the front (never splitting a concept: ``TeamMember`` stays)."""
    for start in range(len(parts)):
        tail = parts[start:]
        if start and tail[0] == "member" and parts[start - 1] == "team":
            continue
        name = pascal(tail)
        if acceptable(name):
            yield name
            return
        if len(name) <= MAX_NAME:  # fits, but not a name (a banned ending, a generic word)
            return
