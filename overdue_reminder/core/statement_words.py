"""The statement of account's words in each language it is sent in (docs/zh_CN-style.md for Chinese:
full-width punctuation, 贵司 for a company and 您 for a person, no space between Chinese and digits)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    as_of_label: str
    page_label: str  # with {n}
    client: str
    section_label: str  # with {cur}
    continued: str
    invoices: str
    credits: str
    payments: str
    column_names: tuple[str, ...]  # number, matter, issued, due, amount, paid, open, days past due
    payment_column_names: tuple[str, str, str]
    open_invoices: str
    less_credits: str
    less_payments: str
    total_due_label: str  # with {cur}
    favour_label: str  # with {cur}
    how_to_pay: str
    verify_heading: str
    verify_sentence: str  # with {phone}
    nothing_open: str
    swift: str = "SWIFT/BIC: "
    iban: str = "IBAN: "
    intermediary: str = "Intermediary bank: "
    reference: str = "Reference: "
    quote_invoice: str = "the number of each invoice you pay"

    def as_of(self, when: str) -> str:
        return self.as_of_label.format(when=when)

    def page(self, n: int) -> str:
        return self.page_label.format(n=n)

    def section(self, currency: str) -> str:
        return self.section_label.format(cur=currency)

    def columns(self, currency: str) -> tuple[str, ...]:
        return tuple(c.format(cur=currency) for c in self.column_names)

    def payment_columns(self, currency: str) -> tuple[str, ...]:
        return tuple(c.format(cur=currency) for c in self.payment_column_names)

    def total_due(self, currency: str) -> str:
        return self.total_due_label.format(cur=currency)

    def in_your_favour(self, currency: str) -> str:
        return self.favour_label.format(cur=currency)

    def verify(self, phone: str) -> str:
        return self.verify_sentence.format(phone=phone)


EN = Words(
    title="Statement of account", as_of_label="As of {when}", page_label="Page {n}", client="Client",
    section_label="Open items in {cur}", continued="(continued)", invoices="Invoices",
    credits="Credit notes", payments="Payments received, not yet applied",
    column_names=("Invoice", "Matter", "Issued", "Due", "Amount", "Paid", "Open", "Days late"),
    payment_column_names=("Reference", "Received", "Amount ({cur})"),
    open_invoices="Open invoices", less_credits="Less credit notes", less_payments="Less payments not yet applied",
    total_due_label="Total due ({cur})", favour_label="Balance in your favour ({cur})", how_to_pay="How to pay",
    verify_heading="How to verify this statement",
    verify_sentence=("Before you pay, you may confirm that this statement is genuine by calling us on {phone}, the "
                     "number published on our website and in your engagement letter. Please do not rely on a "
                     "telephone number or bank details sent to you in any other message: we will never ask you "
                     "by email to pay into a different account."),
    nothing_open="No open items",
)


def _zh(you: str) -> Words:
    return Words(
        title="对账单", as_of_label="对账日期：{when}", page_label="第{n}页", client="客户：",
        section_label="未付款项（{cur}）", continued="（续）", invoices="律师费账单", credits="贷项通知单",
        payments="已收到但尚未核销的付款",
        column_names=("账单编号", "案件编号", "开具日期", "到期日", "金额", "已付", "未付", "逾期天数"),
        payment_column_names=("付款编号", "收款日期", "金额（{cur}）"),
        open_invoices="未付账单合计：", less_credits="减：贷项通知单", less_payments="减：尚未核销的付款",
        total_due_label="应付金额（{cur}）：", favour_label="余额（{cur}，有利于" + you + "）：",
        how_to_pay="付款方式", verify_heading="如何核实本对账单",
        verify_sentence=("付款前，" + you + "可拨打本所公开电话{phone}（即本所网站及委托协议上载明的号码）核实本对账单"
                         "是否真实。请勿依赖其他任何邮件或消息中提供的电话号码或银行账户信息：本所绝不会通过电子邮件要求"
                         + you + "将款项付至其他账户。"),
        nothing_open="目前没有未付款项",
        swift="银行识别代码（SWIFT/BIC）：", iban="国际银行账号（IBAN）：", intermediary="中转银行：",
        reference="付款附言：", quote_invoice="所付各账单的编号",
    )


ZH_COMPANY, ZH_PERSON = _zh("贵司"), _zh("您")


def words_for(language: str, is_company: bool) -> Words:
    if language == "zh_CN":
        return ZH_COMPANY if is_company else ZH_PERSON
    return EN


__all__ = ["EN", "ZH_COMPANY", "ZH_PERSON", "Words", "words_for"]
