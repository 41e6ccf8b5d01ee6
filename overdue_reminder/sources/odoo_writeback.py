"""Quiet, batched write-backs into Odoo's chatter: notes, attachments, activities, and Odoo-mail sends.

What a real Odoo 17 does with the obvious calls, and what is done here instead:
- `message_post` with an HTML body needs `body_is_html`, which logs a warning on every post, subscribes
  the author as a follower, and takes one record per call. A note is a `mail.message` (type comment,
  subtype note) like the one message_post writes: created here directly, many in one call, which sends
  nothing, adds no follower and leaves the document's write_date alone.
- `mail.activity.create` emails the assignee an "assigned to you" notification and bumps the document's
  and the partner's write_date, unless the context carries `mail_activity_quick_update`; it always
  subscribes the assignee, so assignees who did not follow the document before are unsubscribed again.
- Odoo-mail mode goes through the `mail.compose.message` wizard (its HTML body is kept as HTML) with
  `mail_create_nosubscribe`, so the one intended email goes to the billing contact and no follower is added.
"""

from __future__ import annotations

import base64
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from overdue_reminder.errors import SourceError
from overdue_reminder.sources.rpc import RpcClient

QUIET_ACTIVITY = {"mail_activity_quick_update": True, "mail_create_nosubscribe": True}
QUIET_POST = {"mail_create_nosubscribe": True, "mail_post_autofollow": False}
ATTACH_BATCH = 25  # letters are ~40 kB each: a call stays well under Odoo's request limits
NOTE_BATCH = 500


@dataclass(frozen=True)
class OdooFile:
    """A file to attach to a record."""

    res_model: str
    res_id: int
    filename: str
    data: bytes
    mimetype: str


@dataclass(frozen=True)
class OdooNote:
    """An internal chatter note (HTML) on a record, optionally carrying attachments already created."""

    res_model: str
    res_id: int
    html: str
    attachment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class OdooActivity:
    """A to-do for a user on a record."""

    res_model: str
    res_id: int
    user_id: int
    summary: str
    note: str
    deadline: date


@dataclass
class _Cache:
    model_ids: dict[str, int] = field(default_factory=dict)
    refs: dict[str, int] = field(default_factory=dict)
    user_partners: dict[int, int] = field(default_factory=dict)
    author: dict[str, Any] | None = None


def _ids(result: Any) -> list[int]:
    return [int(x) for x in result] if isinstance(result, list) else [int(result)]


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class OdooWriteBack:
    """The write-back calls on one RpcClient; every method takes a batch and makes a few calls for it."""

    client: RpcClient

    @property
    def _wb_cache(self) -> _Cache:
        cache = self.__dict__.get("_wb_cache_obj")
        if cache is None:
            cache = self.__dict__["_wb_cache_obj"] = _Cache()
        return cache

    def _ref(self, xmlid: str) -> int:
        cache = self._wb_cache.refs
        if xmlid not in cache:
            module, name = xmlid.split(".", 1)
            rows = self.client.execute("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                                       fields=["res_id"], limit=1)
            if not rows:
                raise SourceError(f"Odoo has no record {xmlid}")
            cache[xmlid] = int(rows[0]["res_id"])
        return cache[xmlid]

    def _model_id(self, model: str) -> int:
        cache = self._wb_cache.model_ids
        if model not in cache:
            rows = self.client.execute("ir.model", "search_read", [("model", "=", model)], fields=["id"], limit=1)
            if not rows:
                raise SourceError(f"Odoo has no model {model!r}")
            cache[model] = int(rows[0]["id"])
        return cache[model]

    def _user_partners(self, user_ids: Sequence[int]) -> dict[int, int]:
        cache = self._wb_cache.user_partners
        missing = sorted({u for u in user_ids if u not in cache})
        if missing:
            for row in self.client.execute("res.users", "read", missing, fields=["partner_id"]):
                partner = row.get("partner_id")
                if isinstance(partner, list) and partner:
                    cache[int(row["id"])] = int(partner[0])
        return {u: cache[u] for u in user_ids if u in cache}

    # ------------------------------------------------------------ notes
    def post_notes(self, notes: Sequence[OdooNote]) -> list[int]:
        """Internal notes, many per call; no email, no follower, no write_date change on the record."""
        if not notes:
            return []
        subtype = self._ref("mail.mt_note")
        author = self._author()
        out: list[int] = []
        for chunk in _chunks(list(notes), NOTE_BATCH):
            names = self._record_names(chunk)
            vals = [{"model": n.res_model, "res_id": n.res_id, "body": n.html, "message_type": "comment",
                     "subtype_id": subtype, "message_id": f"<{uuid.uuid4().hex}.note-{n.res_id}@overdue-reminder>",
                     **author, **({"record_name": names[(n.res_model, n.res_id)]}
                                  if (n.res_model, n.res_id) in names else {}),
                     **({"attachment_ids": [(6, 0, list(n.attachment_ids))]} if n.attachment_ids else {})}
                    for n in chunk]
            out.extend(_ids(self.client.execute("mail.message", "create", vals)))
        return out

    def _author(self) -> dict[str, Any]:
        """The values Odoo would otherwise work out per message (a lookup each: 5x the cost of the note).

        The author is the desk's own user; replies to an internal note go to that user (reply_to).
        """
        cache = self._wb_cache
        if cache.author is None:
            cache.author = {}
            if self.client.uid is None:
                self.client.authenticate()
            rows = self.client.execute("res.users", "read", [self.client.uid], fields=["partner_id", "email_formatted"])
            if rows and isinstance(rows[0].get("partner_id"), list) and rows[0].get("email_formatted"):
                email = str(rows[0]["email_formatted"])
                cache.author = {"author_id": int(rows[0]["partner_id"][0]), "email_from": email, "reply_to": email}
        return cache.author

    def _record_names(self, notes: Sequence[OdooNote]) -> dict[tuple[str, int], str]:
        by_model: dict[str, set[int]] = defaultdict(set)
        for n in notes:
            by_model[n.res_model].add(n.res_id)
        out: dict[tuple[str, int], str] = {}
        for model, ids in by_model.items():
            for row in self.client.execute(model, "read", sorted(ids), fields=["display_name"]):
                out[(model, int(row["id"]))] = str(row.get("display_name") or "")
        return out

    def post_note(self, invoice_ids: Sequence[int], html: str) -> None:
        """The same internal note on each invoice, in one call."""
        self.post_notes([OdooNote("account.move", int(i), html) for i in invoice_ids])

    # ------------------------------------------------------------ attachments
    def attach_files(self, files: Sequence[OdooFile]) -> list[int]:
        out: list[int] = []
        for chunk in _chunks(list(files), ATTACH_BATCH):
            vals = [{"name": f.filename, "datas": base64.b64encode(f.data).decode("ascii"), "res_model": f.res_model,
                     "res_id": f.res_id, "mimetype": f.mimetype} for f in chunk]
            out.extend(_ids(self.client.execute("ir.attachment", "create", vals)))
        return out

    def attach_file(self, model: str, res_id: int, filename: str, data: bytes, mimetype: str) -> int:
        return self.attach_files([OdooFile(model, res_id, filename, data, mimetype)])[0]

    # ------------------------------------------------------------ activities
    def create_activities(self, items: Sequence[OdooActivity]) -> list[int]:
        """To-dos without the assignment email; assignees Odoo subscribes on the way are unsubscribed
        again unless they followed the record before (the desk adds no followers)."""
        if not items:
            return []
        todo = self._ref("mail.mail_activity_data_todo")
        partners = self._user_partners([a.user_id for a in items])
        before = self._followers(items, partners)
        out: list[int] = []
        for chunk in _chunks(list(items), NOTE_BATCH):
            vals = [{"res_model_id": self._model_id(a.res_model), "res_id": a.res_id, "user_id": a.user_id,
                     "summary": a.summary, "note": a.note, "date_deadline": a.deadline.isoformat(),
                     "activity_type_id": todo} for a in chunk]
            out.extend(_ids(self.client.execute("mail.activity", "create", vals, context=QUIET_ACTIVITY)))
        added: dict[tuple[str, int], set[int]] = defaultdict(set)  # (model, partner) -> records
        for a in items:
            pid = partners.get(a.user_id)
            if pid is not None and (a.res_model, a.res_id, pid) not in before:
                added[(a.res_model, pid)].add(a.res_id)
        for (model, pid), res_ids in sorted(added.items()):
            self.client.execute(model, "message_unsubscribe", sorted(res_ids), partner_ids=[pid])
        return out

    def _followers(self, items: Sequence[OdooActivity], partners: dict[int, int]) -> set[tuple[str, int, int]]:
        found: set[tuple[str, int, int]] = set()
        by_model: dict[str, set[int]] = defaultdict(set)
        for a in items:
            by_model[a.res_model].add(a.res_id)
        pids = sorted(set(partners.values()))
        for model, res_ids in by_model.items():
            for row in self.client.execute("mail.followers", "search_read",
                                           [("res_model", "=", model), ("res_id", "in", sorted(res_ids)),
                                            ("partner_id", "in", pids)], fields=["res_id", "partner_id"]):
                partner = row.get("partner_id")
                if isinstance(partner, list) and partner:
                    found.add((model, int(row["res_id"]), int(partner[0])))
        return found

    def create_activity(self, res_model: str, res_id: int, user_id: int, summary: str, note: str,
                        deadline: date) -> int:
        return self.create_activities([OdooActivity(res_model, res_id, user_id, summary, note, deadline)])[0]

    def close_activity(self, activity_id: int, feedback: str) -> None:
        try:
            self.client.execute("mail.activity", "action_feedback", [activity_id], feedback=feedback,
                                context=QUIET_ACTIVITY)
        except SourceError as exc:
            if "cannot marshal None" not in str(exc):  # XML-RPC: the method ran, returned None
                raise

    # ------------------------------------------------------------ Odoo mail
    def send_mail(self, invoice_id: int, subject: str, html: str, partner_ids: Sequence[int]) -> int:
        """Through Odoo's own mail on the invoice (lands in the chatter, goes to the partners only)."""
        values = {"composition_mode": "comment", "model": "account.move", "res_ids": [invoice_id], "body": html,
                  "subject": subject, "partner_ids": [(6, 0, list(partner_ids))],
                  "subtype_id": self._ref("mail.mt_comment")}
        wizard = _ids(self.client.execute("mail.compose.message", "create", values, context=QUIET_POST))[0]
        self.client.execute("mail.compose.message", "action_send_mail", [wizard], context=QUIET_POST)
        posted = self.client.execute("mail.message", "search_read",
                                     [("model", "=", "account.move"), ("res_id", "=", invoice_id),
                                      ("message_type", "=", "comment"), ("subject", "=", subject)],
                                     fields=["id"], order="id desc", limit=1)
        if not posted:
            raise SourceError(f"Odoo accepted the mail on account.move {invoice_id} but shows no message for it")
        return int(posted[0]["id"])
