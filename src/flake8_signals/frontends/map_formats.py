"""How ``flake8-signals map`` prints the signal map: text, JSON, Mermaid and DOT."""

from __future__ import annotations

from dataclasses import asdict

SCHEMA_VERSION = 1


def as_json(signals: dict) -> dict:
    return {"version": SCHEMA_VERSION, "signals": [asdict(entry) for entry in signals.values()]}


def as_text(signals: dict) -> str:
    lines = []
    for entry in signals.values():
        lines.append(f"{entry.signal}  ({entry.kind}{', defined at ' + entry.defined_at if entry.defined_at else ''})")
        for site in entry.sent_at:
            lines.append(f"  sent at {site}")
        for receiver in entry.receivers:
            details = [f"sender={receiver.sender}" if receiver.sender else "any sender"]
            if receiver.dispatch_uid:
                details.append(f"dispatch_uid={receiver.dispatch_uid}")
            if receiver.weak is False:
                details.append("weak=False")
            if receiver.is_async:
                details.append("async")
            codes = f"  {' '.join(receiver.codes)}" if receiver.codes else ""
            lines.append(f"  -> {receiver.receiver}  {receiver.path}:{receiver.line}  ({', '.join(details)}){codes}")
            lines.append(
                f"       connected at {receiver.connected_at} ({receiver.connected_in}); "
                f"registered at start-up: {receiver.registered_at_startup} ({receiver.reason})"
            )
        if not entry.receivers:
            lines.append("  (no receivers in these files)")
    return "\n".join(lines) + ("\n" if lines else "")


def _node_ids(signals: dict) -> dict:
    ids: dict = {}
    for entry in signals.values():
        ids.setdefault(entry.signal, f"s{len(ids)}")
        for receiver in entry.receivers:
            ids.setdefault(receiver.receiver, f"r{len(ids)}")
    return ids


def as_mermaid(signals: dict) -> str:
    ids = _node_ids(signals)
    lines = ["flowchart LR"]
    for entry in signals.values():
        lines.append(f'  {ids[entry.signal]}(["{entry.signal.rsplit(".", 1)[-1]}"])')
    for entry in signals.values():
        for receiver in entry.receivers:
            label = _short(receiver.receiver)
            lines.append(f'  {ids[receiver.receiver]}["{label}"]')
            arrow = "-->" if receiver.registered_at_startup == "yes" else "-.->"
            edge = f"|{_mermaid_text(receiver.sender)}|" if receiver.sender else ""
            lines.append(f"  {ids[entry.signal]} {arrow}{edge} {ids[receiver.receiver]}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "'").replace("|", "/")


def as_dot(signals: dict) -> str:
    ids = _node_ids(signals)
    lines = ["digraph signals {", "  rankdir=LR;"]
    for entry in signals.values():
        lines.append(f'  {ids[entry.signal]} [label="{entry.signal.rsplit(".", 1)[-1]}", shape=ellipse];')
    for entry in signals.values():
        for receiver in entry.receivers:
            lines.append(f'  {ids[receiver.receiver]} [label="{_dot_text(_short(receiver.receiver))}", shape=box];')
            style = "solid" if receiver.registered_at_startup == "yes" else "dashed"
            label = f', label="{_dot_text(receiver.sender)}"' if receiver.sender else ""
            lines.append(f"  {ids[entry.signal]} -> {ids[receiver.receiver]} [style={style}{label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _short(name: str) -> str:
    return name.replace('"', "'")
