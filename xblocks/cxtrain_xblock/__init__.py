"""The ``cxscenario`` XBlock: cxtrain modules inside Open edX courses (see docs/openedx.md).

The block class is ``cxtrain_xblock.block.ScenarioBlock``, registered under the
``xblock.v1`` entry point; importing this package does not import XBlock.
"""
