"""An offer in the client's words: amounts and dates formatted for the locale, and one summary sentence (en, zh).

Pure: `offer_context` is what offer templates, reminders and letters render (keys: templates/offers/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from overdue_reminder.core.installment_text import plan_phrase
from overdue_reminder.core.offer_terms import Combined, Extension, InstallmentPlan, Offer, Settlement, measures


def _fmt_money(amount: Decimal, currency: str, locale: str) -> str:
    return str(format_currency(amount, currency, locale=locale))


def _fmt_date(d: date, locale: str) -> str:
    return str(format_date(d, format="long", locale=locale))


_FREQ = {
    "en": {"weekly": "weekly", "biweekly": "fortnightly", "monthly": "monthly"},
    "zh": {"weekly": "按周", "biweekly": "每两周", "monthly": "按月"},
}
_LABELS = {
    "en": {"down_payment": " (down payment)", "installment": "", "lump_sum": ""},
    "zh": {"down_payment": "（首付款）", "installment": "", "lump_sum": ""},
}


def _lang(locale: str) -> str:
    return "zh" if locale.lower().startswith("zh") else "en"


Fmt = Callable[[Any], str]


def _parts(offer: Offer) -> tuple[InstallmentPlan | None, Settlement | None, Extension | None]:
    """The plan, settlement and extension an offer is made of (a Combined has two or three)."""
    plan = offer if isinstance(offer, InstallmentPlan) else offer.plan if isinstance(offer, Combined) else None
    sett = offer if isinstance(offer, Settlement) else offer.settlement if isinstance(offer, Combined) else None
    ext = offer if isinstance(offer, Extension) else offer.extension if isinstance(offer, Combined) else None
    return plan, sett, ext


def _settlement_text(sett: Settlement, bal: str, zh: bool, m: Fmt, pct: Fmt) -> str:
    if zh:
        return f"本所愿意接受以{m(sett.amount)}结清余额{bal}（折让{pct(sett.discount_percent)}%）"
    return (f"We are prepared to accept {m(sett.amount)} in full settlement of the balance of {bal} "
            f"(a discount of {pct(sett.discount_percent)}%)")


def _plan_text(plan: InstallmentPlan, bal: str, after_settlement: bool, lang: str, m: Fmt, dt: Fmt) -> str:
    """The down payment first, then the installments with their exact amounts (core/installment_text)."""
    return plan_phrase(zh=lang == "zh", balance=bal, number=plan.number, frequency=_FREQ[lang][plan.frequency.value],
                       amounts=[i.amount for i in plan.installments], first_date=plan.first_date,
                       down_payment=plan.down_payment, down_due=plan.down_payment_due, m=m, dt=dt,
                       after=after_settlement)


def _written_terms_text(plan: InstallmentPlan, zh: bool, m: Fmt, pct: Fmt) -> str:
    """Interest or security make a new agreement: the attorney's written terms and independent advice (LAW.md #7)."""
    extra = []
    if plan.interest_amount > 0:
        extra.append(f"另加利息{m(plan.interest_amount)}（{pct(plan.interest_percent)}%）" if zh
                     else f"adds interest of {m(plan.interest_amount)} ({pct(plan.interest_percent)}%)")
    if plan.security:
        extra.append(f"需要提供担保（{plan.security}）" if zh else f"is secured by {plan.security}")
    if zh:
        return f"该付款计划{'，'.join(extra)}；承办律师将另行发出书面条款，本所建议在同意前另行咨询独立律师。"
    return (f" The plan {' and '.join(extra)}: the responsible attorney will send you its written terms, "
            "and we recommend that you seek independent legal advice before agreeing.")


def _summary(offer: Offer, lang: str, m: Fmt, dt: Fmt, pct: Fmt) -> str:
    """One sentence in the client's language; the lines carry the dates and amounts one by one."""
    plan, sett, ext = _parts(offer)
    bal = m(offer.balance)
    zh = lang == "zh"
    out = []
    if sett is not None:
        out.append(_settlement_text(sett, bal, zh, m, pct))
    if plan is not None:
        out.append(_plan_text(plan, bal, bool(out), lang, m, dt))
    elif sett is not None:
        out.append(f"，须于{dt(sett.pay_by)}前付清" if zh else f", if paid by {dt(sett.pay_by)}")
    elif ext is not None:
        out.append(f"本所可以将余额{bal}的付款期限延长至{dt(ext.new_due)}" if zh
                   else f"We can extend the time for payment of the balance of {bal} to {dt(ext.new_due)}")
    sentence = "".join(out) + ("。" if zh else ".")
    if plan is not None and (plan.interest_amount > 0 or plan.security):
        sentence += _written_terms_text(plan, zh, m, pct)
    return sentence


def offer_context(offer: Offer, locale: str) -> dict[str, Any]:
    """Everything an offer template needs, amounts and dates already formatted for the client's locale.

    Every key is always present (None where a part does not apply) so strict templates can test
    `{% if offer.plan %}`. `summary` and `lines` are ready sentences in the locale's language (en or zh);
    `respond_by` stays a date (the first payment's due date: the offer lapses after it) for callers that
    format dates themselves, `respond_by_text` is it formatted. Keys: templates/offers/README.md.
    """
    cur = offer.currency
    lang = _lang(locale)

    def m(amount: Decimal) -> str:
        return _fmt_money(amount, cur, locale)

    def dt(day: date) -> str:
        return _fmt_date(day, locale)

    def pct(p: Decimal) -> str:
        return str(format_decimal(p.normalize(), locale=locale))

    plan, sett, ext = _parts(offer)
    plan_ctx = None
    if plan is not None:
        plan_ctx = {
            "down_payment": m(plan.down_payment) if plan.down_payment > 0 else None,
            "down_payment_due": dt(plan.down_payment_due) if plan.down_payment_due else None,
            "number": plan.number,
            "frequency": plan.frequency.value,
            "frequency_text": _FREQ[lang][plan.frequency.value],
            "first_date": dt(plan.first_date),
            "last_date": dt(plan.last_due),
            "installment_amount": m(plan.installments[0].amount),
            "interest_percent": pct(plan.interest_percent) if plan.interest_percent > 0 else None,
            "interest": m(plan.interest_amount) if plan.interest_amount > 0 else None,
            "security": plan.security or None,
            "total": m(plan.total_payable),
        }
    sett_ctx = None
    if sett is not None:
        sett_ctx = {"discount_percent": pct(sett.discount_percent), "discount": m(sett.discount_amount),
                    "amount": m(sett.amount), "pay_by": dt(sett.pay_by)}
    ext_ctx = None
    if ext is not None:
        ext_ctx = {"days": ext.days, "new_due": dt(ext.new_due)}
    meas = measures(offer)
    schedule = [{"number": i.seq, "label": i.label, "due": dt(i.due), "amount": m(i.amount)} for i in offer.schedule]
    respond_by = offer.schedule[0].due
    return {
        "kind": offer.kind,
        "currency": cur,
        "balance": m(offer.balance),
        "total": m(offer.total_payable),
        "offered_on": dt(offer.offered_on),
        "last_due": dt(offer.last_due),
        "summary": _summary(offer, lang, m, dt, pct),
        "lines": [f"{s['due']}{'：' if lang == 'zh' else ': '}{s['amount']}{_LABELS[lang][str(s['label'])]}"
                  for s in schedule],
        "respond_by": respond_by,
        "respond_by_text": dt(respond_by),
        "plan": plan_ctx,
        "settlement": sett_ctx,
        "extension": ext_ctx,
        "schedule": schedule,
        "written_terms": meas.interest_percent > 0 or bool(meas.security),
    }
