#!/usr/bin/python3
"""Prints docs/python.md's table of estimator functions, generated from the registry through
the module (a test checks that the page holds exactly this).

  PYTHONPATH=build/python /usr/bin/python3 python/api_table.py
"""
import infoplane as ip


def python_default(o):
    if o["kind"] == "flag":
        return "True" if o["default"] == "on" else "False"
    if o["kind"] == "choice":
        return repr(o["default"])
    return o["default"] or "None"


def api_table():
    lines = ["| function | arguments | keyword options (default) | reports |", "|---|---|---|---|"]
    for e in ip.estimators(details=True):
        args = "`f`, `noise_var` \\| `noise_std` \\| `drop_probability`" if e["input"] == "noise_model" else "`x`, `y`"
        if e["trainable"]:
            args += " (trained on a split)"
        opts = ", ".join(f"`{o['name']}={python_default(o)}`" for o in e["options"])
        lines.append(f"| `ip.{e['function']}` | {args} | {opts} | {e['reports']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(api_table(), end="")
