"""The demo's forced-Burgers section: the shipped trajectory-trained pairs next to textbook ones.

The numbers are the held-out evaluation ``make pretrained`` recorded in each pair's provenance
(:mod:`learned_ops.pretrained.build_trajectory`: 8 held-out forcing seeds, t in [10, 40], the
solver's own runs against the pseudo-spectral truth); reproducing them takes minutes, so the
demo reads them and says so (``learned-ops evaluate trajectory-burgers-n128`` reruns them).
"""

from __future__ import annotations

from typing import Any

__all__ = ["trajectory_section"]


def trajectory_section() -> dict[str, Any]:
    """``{"n": {"rows": [...], "certificate": {...}, "training_seconds": s}}`` for each shipped
    pair (empty when none is shipped)."""
    from learned_ops.pretrained import list_pretrained, load_pretrained

    found = {}
    for name in list_pretrained():
        if not (name.startswith("trajectory-burgers-n") and name.endswith("-flux")):
            continue
        provenance = load_pretrained(name).provenance
        evaluation = provenance.get("evaluation")
        if evaluation is None:
            continue
        n = name[len("trajectory-burgers-n"): -len("-flux")]
        found[n] = {"pair": name[: -len("-flux")], "rows": evaluation["rows"],
                    "reference": evaluation["reference"],
                    "certificate": provenance.get("certificate"),
                    "training_seconds": provenance.get("training_seconds")}
    return found


def format_trajectory_section(section: dict[str, Any]) -> str:
    """The section as text (empty string when nothing is shipped)."""
    if not section:
        return ""
    lines = ["", "forced viscous Burgers (nu = 0.04, RK4 dt = 1e-3), 8 held-out forcing seeds, "
             "t in [10, 40]: pairs trained through the solver vs textbook (recorded by make "
             "pretrained; rerun: learned-ops evaluate PAIR --n N)"]
    for n, entry in sorted(section.items(), key=lambda item: int(item[0])):
        seconds = entry["training_seconds"]
        lines.append(f"  n = {n}: {entry['pair']} (trained in {seconds:.0f} s, certified: "
                     f"{bool(entry['certificate'] and entry['certificate'].get('certified'))})")
        lines.append(f"    {'pair':56s} {'mean |err|':>10s} {'survival':>8s} {'blow-ups':>8s} "
                     f"{'coarsening':>10s}")
        for row in entry["rows"]:
            error = row["mean_abs_error"]
            shown = "blew up" if error is None else f"{error:.3e}"
            factor = row["coarsening_factor"]
            factor = "-" if factor is None else f"{factor:.2f}x"
            lines.append(f"    {row['label'][:56]:56s} {shown:>10s} {row['mean_survival']:8.2f} "
                         f"{row['blowups']:8d} {factor:>10s}")
    return "\n".join(lines)
