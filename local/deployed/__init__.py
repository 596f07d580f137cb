"""The deployed shape, offline: every function run from its synthesized asset (``make deployed-test``).

The local runtime (local/) runs the nine handlers in one process with the union of their settings;
this package runs what ``cdk synth`` produced instead. Each function gets its own Python 3.12
interpreter whose import path is only its code asset, its layers as bundled and the runtime's boto3,
with the code read-only, the working directory elsewhere and exactly the environment of its
``AWS::Lambda::Function`` (intrinsics resolved against resources created from the template on a moto
server). Events follow the template's rules, HTTP its REST API, and every AWS call is authorized
against the function's role. See docs/operations.md ("The deployed shape, tested offline").
"""
