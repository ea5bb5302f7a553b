"""How ``flake8-signals map`` prints the signal map: text, JSON, Mermaid and DOT."""

from __future__ import annotations

from dataclasses import asdict

SCHEMA_VERSION = 2


def as_json(signals: dict) -> dict:
    return {"version": SCHEMA_VERSION, "signals": [asdict(entry) for entry in signals.values()]}


def as_text(signals: dict) -> str:
    lines = []
    for entry in signals.values():
        lines.append(f"{entry.signal}  ({entry.kind_text}{', defined at ' + entry.defined_at if entry.defined_at else ''})")
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
            lines.append(f"  -> {receiver.receiver}  {_where(receiver)}  ({', '.join(details)}){codes}")
            lines.append(
                f"       connected at {receiver.connected_at} ({receiver.connected_in}); "
                f"registered at start-up: {receiver.registered_at_startup} ({receiver.reason})"
            )
        if not entry.receivers:
            lines.append("  (no receivers in these files)")
    return "\n".join(lines) + ("\n" if lines else "")


def _where(receiver) -> str:
    if receiver.defined_outside_project:
        return "(defined outside the project)"
    if receiver.path is None:
        return "(defined where the map cannot see)"
    return f"{receiver.path}:{receiver.line}" if receiver.line is not None else receiver.path


def _receiver_key(receiver) -> tuple:
    return (receiver.receiver, receiver.path, receiver.line)


def _graph(signals: dict) -> tuple:
    """(nodes, edges) of the picture: each signal and each receiver is one node, declared
    once, with a label no other node of its kind shares; an edge per connection."""
    signal_nodes: dict = {}  # qualified name -> (id, label)
    short_count: dict = {}
    for entry in signals.values():
        short = entry.signal.rsplit(".", 1)[-1]
        short_count[short] = short_count.get(short, 0) + 1
    for entry in signals.values():
        short = entry.signal.rsplit(".", 1)[-1]
        signal_nodes[entry.signal] = (f"s{len(signal_nodes)}", short if short_count[short] == 1 else entry.signal)
    receiver_nodes: dict = {}  # key -> (id, label)
    labels: dict = {}
    for entry in signals.values():
        for receiver in entry.receivers:
            key = _receiver_key(receiver)
            if key not in receiver_nodes:
                receiver_nodes[key] = (f"r{len(receiver_nodes)}", receiver.receiver)
                labels.setdefault(receiver.receiver, []).append(key)
    for name, keys in labels.items():
        if len(keys) > 1:  # two lambdas of one module: told apart by where they are
            for key in keys:
                node_id, _ = receiver_nodes[key]
                where = f"{key[1]}:{key[2]}" if key[1] is not None else "outside the project"
                receiver_nodes[key] = (node_id, f"{name} ({where})")
    edges = [
        (signal_nodes[entry.signal][0], receiver_nodes[_receiver_key(receiver)][0], receiver)
        for entry in signals.values()
        for receiver in entry.receivers
    ]
    return list(signal_nodes.values()), list(receiver_nodes.values()), edges


def as_mermaid(signals: dict) -> str:
    signal_nodes, receiver_nodes, edges = _graph(signals)
    lines = ["flowchart LR"]
    lines.extend(f'  {node}(["{_mermaid_label(label)}"])' for node, label in signal_nodes)
    lines.extend(f'  {node}["{_mermaid_label(label)}"]' for node, label in receiver_nodes)
    for source, target, receiver in edges:
        arrow = "-->" if receiver.registered_at_startup == "yes" else "-.->"
        edge = f"|{_mermaid_text(receiver.sender)}|" if receiver.sender else ""
        lines.append(f"  {source} {arrow}{edge} {target}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return text.replace('"', "'")


def _mermaid_text(text: str) -> str:
    return text.replace('"', "'").replace("|", "/")


def as_dot(signals: dict) -> str:
    signal_nodes, receiver_nodes, edges = _graph(signals)
    lines = ["digraph signals {", "  rankdir=LR;"]
    lines.extend(f'  {node} [label="{_dot_text(label)}", shape=ellipse];' for node, label in signal_nodes)
    lines.extend(f'  {node} [label="{_dot_text(label)}", shape=box];' for node, label in receiver_nodes)
    for source, target, receiver in edges:
        style = "solid" if receiver.registered_at_startup == "yes" else "dashed"
        label = f', label="{_dot_text(receiver.sender)}"' if receiver.sender else ""
        lines.append(f"  {source} -> {target} [style={style}{label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
