"""Example OLX for the xblock-sdk workbench: one module kept in the block, one from the library."""

from __future__ import annotations

from .content import library

EXAMPLE_YAML = """\
id: wb-misrouted-letter
title: The letter in the wrong tray
role: clerical-intern
summary: A customer's complaint lands on your desk by mistake.
minutes: 3
start: desk
nodes:
  desk:
    title: Monday morning
    text: |
      A handwritten letter from a customer is in your tray. It says **urgent** and belongs
      to the Care team.
    customer_link: Mail routed right reaches the customer's problem sooner.
    choices:
      - id: walk-over
        text: Walk it over to the Care team now
        effects: {customer: 20, employee: 5}
        set: [delivered]
        feedback: Care reads it the same morning.
        next: follow-up
      - id: tray
        text: Drop it in the internal mail tray
        effects: {customer: -10}
        feedback: It will reach Care in three days.
        next: follow-up
  follow-up:
    title: Later that day
    text: The customer phones to ask whether the letter arrived.
    customer_link: A clear answer saves the customer another call.
    choices:
      - id: confirm
        text: Tell them Care has it and will call back today
        when: delivered
        effects: {customer: 15}
        feedback: The customer is relieved.
        next: heard
      - id: transfer
        text: Transfer the call to the switchboard
        effects: {customer: -10, employee: -5}
        feedback: The customer explains everything again.
        next: lost
  heard:
    ending: {title: A customer who feels heard}
    text: Care calls back before five. The complaint is settled in one day.
  lost:
    ending: {title: Another week of waiting}
    text: The letter surfaces on Thursday.
"""


def _cdata(text: str) -> str:
    return f"<![CDATA[\n{text}]]>"


def workbench_scenarios() -> list[tuple[str, str]]:
    scenarios = [
        (
            "cxscenario: a module kept in the block",
            f'<cxscenario display_name="The letter in the wrong tray" weight="2" max_attempts="3">'
            f"{_cdata(EXAMPLE_YAML)}</cxscenario>",
        )
    ]
    modules = sorted(library().modules)
    if modules:
        scenarios.append(
            (
                "cxscenario: a module from the installed library",
                f'<cxscenario display_name="From the library" module="{modules[0]}"/>',
            )
        )
    return scenarios
