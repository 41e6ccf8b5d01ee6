"""The small words around a letter's data, per language: labels with their colon, parentheses, enclosures.

Chinese takes full-width punctuation with no spaces (docs/zh_CN-style.md): 应付金额（USD）：US$5,750.50, not
"应付金额 (USD): …"; an official form is named in the letter's language (labels.txt `form.<English name>`).
"""

from __future__ import annotations

from collections.abc import Mapping


def wide(language: str) -> bool:
    """Chinese text takes full-width punctuation: （）：；, no spaces around them (docs/zh_CN-style.md)."""
    return language.startswith("zh")


def paren(text: str, language: str) -> str:
    return f"（{text}）" if wide(language) else f" ({text})"


def label_value(label: str, value: str, language: str = "") -> str:
    """'Label: value'; '标签：值' when the language (or a label already ending in '：') is Chinese."""
    if label.endswith("："):
        return f"{label}{value}"
    return f"{label}：{value}" if wide(language) else f"{label}: {value}"


def attention_line(label: str, name: str) -> str:
    """'Attn. Pat Billing'; '收件人：王芳' (no space after a full-width colon)."""
    return f"{label}{name}" if label.endswith("：") else f"{label} {name}"


def form_name(form: str, labels: Mapping[str, str], language: str) -> str:
    """An official form as the enclosure list names it: the language's name from labels.txt ("form.<English
    name> = …"), else the English name in parentheses after the word for form, never bare English in Chinese."""
    own = labels.get(f"form.{form}")
    if own:
        return own
    return f"{labels.get('form', '')}（{form}）" if wide(language) else form


__all__ = ["attention_line", "form_name", "label_value", "paren", "wide"]
