"""What a single cut can reach on the cached faithfulness claims (bench/out/faithfulness.jsonl, made by
`python bench/faithfulness.py --calibrate`): ROC AUC of the consistency model and of lexical support,
balanced accuracy of one cut against a cut per set, and mixes of the two scores. Prints; writes nothing.

    python bench/faithfulness_limits.py [--model FILE]   # FILE: a candidate consistency model (default: the shipped one)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faithfulness as F  # noqa: E402


def by_set(results: list[dict], half: str) -> dict[str, list[dict]]:
    groups = defaultdict(list)
    for r in results:
        if r["half"] == half and r["set"] in F.NEWS and not r.get("judged"):
            groups[r["set"]].append(r)
    return groups


def mean_ba(groups: dict[str, list[dict]], score, cut: float, checks: bool = True) -> float:
    values = []
    for rs in groups.values():
        predictions = [bool(r["sentences"]) and all((not checks or not s["checks"]) and score(s) >= cut
                                                    for s in r["sentences"]) for r in rs]
        value = F.balanced_accuracy([r["label"] for r in rs], predictions)
        if value == value:
            values.append(value)
    return statistics.mean(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    results = [json.loads(line) for line in F.CACHE.open()]
    F.rescore(results, args.model)
    report, calibration = by_set(results, "report"), by_set(results, "calibration")
    consistency = lambda s: s["signals"]["consistency"]  # noqa: E731
    aucs = {name: (F.roc_auc([r["label"] for r in rs], [min(consistency(s) for s in r["sentences"]) if r["sentences"] else 0.0 for r in rs]),
                   F.roc_auc([r["label"] for r in rs], [min(F.support(s) for s in r["sentences"]) if r["sentences"] else 0.0 for r in rs]))
            for name, rs in sorted(report.items())}
    for name, (model, lexical) in aucs.items():
        print(f"{name:15s} ROC AUC: consistency {model:.3f}, support {lexical:.3f}")
    print(f"mean news ROC AUC: consistency {statistics.mean(a for a, _ in aucs.values()):.3f}, "
          f"support {statistics.mean(b for _, b in aucs.values()):.3f}")
    cuts = [c / 100 for c in range(20, 95)]
    single = max(mean_ba(report, F.support, c, checks=False) for c in cuts)
    per_set = statistics.mean(max(mean_ba({n: rs}, F.support, c, checks=False) for c in cuts) for n, rs in report.items())
    print(f"support alone, report half: best single cut {single:.3f}; best cut per set {per_set:.3f}")
    for alpha in [a / 10 for a in range(11)]:
        score = lambda s, a=alpha: a * F.support(s) + (1 - a) * consistency(s)  # noqa: E731
        fitted = {c: mean_ba(calibration, score, c) for c in cuts}
        best = max(fitted.values())
        cut = min(c for c, v in fitted.items() if v >= best - 0.01)
        print(f"mix {alpha:.1f}*support + {1 - alpha:.1f}*consistency, with checks: cut {cut:.2f} from the calibration half "
              f"-> report {mean_ba(report, score, cut):.3f}; best cut on the report half itself "
              f"{max(mean_ba(report, score, c) for c in cuts):.3f}")


if __name__ == "__main__":
    main()
